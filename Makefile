# Yihu 医护 — the commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
YIHU := $(VENV)/bin/yihu
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
WEB_STAMP := web/node_modules/.installed-$(shell cksum web/package.json web/package-lock.json 2>/dev/null | cksum | cut -d' ' -f1)
WEB_SRC := $(shell find web/src web/index.html web/vite.config.* -type f 2>/dev/null)

.PHONY: demo serve test test-pg lint install web bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

$(WEB_STAMP): web/package.json
	cd web && npm ci --no-audit --no-fund || (cd web && npm install --no-audit --no-fund)
	rm -f web/node_modules/.installed-* && touch $@

web/dist/index.html: $(WEB_STAMP) $(WEB_SRC)
	cd web && npm run build

web: web/dist/index.html

demo: install web
	$(YIHU) db upgrade
	$(YIHU) demo
	$(YIHU) serve

serve: install web
	$(YIHU) serve

test: install web
	$(PY) -m pytest -q

test-pg: install web
	YIHU_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/yihu_test $(PY) -m pytest -q

lint: install
	$(PY) -m ruff check src tests bench
	$(PY) -m mypy --strict src

bench: install
	YIHU_DATABASE_URL=$${YIHU_DATABASE_URL:-postgresql+asyncpg://postgres@127.0.0.1/yihu_bench} $(PY) bench/booking_rush.py
	$(PY) bench/queue_push.py
	YIHU_DATABASE_URL=$${YIHU_COCKPIT_DATABASE_URL:-postgresql+asyncpg://postgres@127.0.0.1/yihu_cockpit_bench} $(PY) bench/cockpit.py

clean:
	rm -rf $(VENV) web/node_modules web/dist var
