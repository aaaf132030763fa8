"""What a newcomer runs, as separate processes: db upgrade, demo, serve (then the page, the API and FHIR answer),
audit verify, dev totp."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

YIHU = [sys.executable, "-m", "yihu.cli"]


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "YIHU_DATABASE_URL"}
    env["YIHU_VAR_DIR"] = str(tmp_path)
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*YIHU, *args], env=env, capture_output=True, text=True, timeout=180)


def test_upgrade_demo_serve_and_sign_in(cli_env: dict[str, str]) -> None:
    assert run(cli_env, "db", "upgrade").returncode == 0
    demo = run(cli_env, "demo")
    assert demo.returncode == 0, demo.stderr
    for role in ("resident", "doctor", "nurse", "pharmacist", "institution_admin", "regulator", "system_admin"):
        assert role in demo.stdout
    assert "13800000001" in demo.stdout and "Yihu@2026" in demo.stdout
    again = run(cli_env, "demo")
    assert "already loaded" in again.stdout

    port = free_port()
    server = subprocess.Popen([*YIHU, "serve", "--port", str(port)], env=cli_env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.time() < deadline, "yihu serve did not answer"
            time.sleep(0.2)
        page = httpx.get(f"{base}/resident")
        assert page.status_code == 200 and '<div id="app">' in page.text
        meta = httpx.get(f"{base}/fhir/metadata").json()
        assert meta["resourceType"] == "CapabilityStatement"
        r = httpx.post(f"{base}/api/v1/auth/login", json={"phone": "13800000001", "password": "Yihu@2026"})
        assert r.status_code == 200 and r.json()["account"]["role"] == "resident"
        cards = httpx.get(f"{base}/api/v1/me/cards", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
        assert len(cards.json()["items"]) == 4
        r = httpx.post(f"{base}/api/v1/auth/login", json={"phone": "13800000051", "password": "Yihu@2026"})
        assert r.json()["mfa_required"] is True
        code = run(cli_env, "dev", "totp", "13800000051").stdout.strip()
        assert code.isdigit() and len(code) == 6
        ok = httpx.post(f"{base}/api/v1/auth/login/totp", json={"mfa_token": r.json()["mfa_token"], "code": code})
        assert ok.status_code == 200 and ok.json()["account"]["role"] == "regulator"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    verify = run(cli_env, "audit", "verify")
    assert verify.returncode == 0, verify.stdout
    assert "audit chains intact" in verify.stdout


def test_dev_aids_are_refused_in_production(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "YIHU_ENV": "production"}
    r = run(env, "dev", "totp", "13800000051")
    assert r.returncode == 2 and "refused" in r.stdout


def test_production_refuses_the_development_keys() -> None:
    import base64

    from yihu.app import create_app
    from yihu.config import Settings

    with pytest.raises(RuntimeError, match="YIHU_DATA_KEYS"):
        create_app(Settings(env="production"))
    key = base64.b64encode(os.urandom(32)).decode()
    create_app(Settings(env="production", data_keys=f"1:{key}", blind_index_key=key, jwt_secret=key))
