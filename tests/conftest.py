"""Test fixtures: one migrated database per run, a clean copy for every test.

SQLite (default): migrate a template file once, copy it for each test.
PostgreSQL (``YIHU_DATABASE_URL=postgresql+asyncpg://...``): migrate once, TRUNCATE between tests.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

_TMP = Path(tempfile.mkdtemp(prefix="yihu-test-"))
os.environ.setdefault("YIHU_ARGON2_MEMORY_KIB", "1024")
os.environ.setdefault("YIHU_ARGON2_TIME_COST", "1")
os.environ["YIHU_VAR_DIR"] = str(_TMP)
os.environ.setdefault("YIHU_LOG_JSON", "true")
os.environ.setdefault("YIHU_INLINE_DELIVERY", "false")
os.environ.setdefault("YIHU_INLINE_AUDIT_SEAL", "false")

import httpx  # noqa: E402
import pytest  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine  # noqa: E402

from yihu import migrate  # noqa: E402
from yihu.app import create_app  # noqa: E402
from yihu.config import get_settings  # noqa: E402
from yihu.db import Database  # noqa: E402
from yihu.kit import audit  # noqa: E402
from yihu.models import metadata  # noqa: E402

PG_URL = os.environ.get("YIHU_DATABASE_URL", "")
IS_PG = PG_URL.startswith("postgresql")
TEMPLATE = _TMP / "template.db"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


async def _ensure_pg_database(url: str) -> None:
    u = make_url(url)
    admin = create_async_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        exists = await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": u.database})
        if exists:
            await conn.execute(text(f'DROP DATABASE "{u.database}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    await admin.dispose()


def pytest_sessionstart(session: pytest.Session) -> None:
    if IS_PG:
        asyncio.run(_ensure_pg_database(PG_URL))
        migrate.upgrade(PG_URL)
    else:
        migrate.upgrade(f"sqlite+aiosqlite:///{TEMPLATE}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_TMP, ignore_errors=True)


_counter = iter(range(1, 10**9))


async def fresh_database() -> Database:
    settings = get_settings()
    if IS_PG:
        db = Database(settings, PG_URL)
        tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        async with db.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            await conn.execute(text("INSERT INTO audit_head (id, pos, hash) VALUES (:i, 0, :h)"),
                               [{"i": i, "h": audit.GENESIS} for i in range(1, audit.CHAINS + 1)])
        return db
    path = _TMP / f"t{next(_counter)}.db"
    shutil.copyfile(TEMPLATE, path)
    return Database(settings, f"sqlite+aiosqlite:///{path}")


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    database = await fresh_database()
    yield database
    await database.dispose()


@pytest.fixture
def app(db: Database) -> Any:
    return create_app(get_settings(), db=db)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def session(db: Database) -> AsyncIterator[AsyncSession]:
    async with db.sessionmaker() as s:
        s.info["db"] = db
        yield s


# ---- a live server (uvicorn in a thread) for fhirpy and the browser ----

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, db_url: str) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = Database(get_settings(), db_url)
        app = create_app(get_settings(), db=self.db)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.time() + 20
        while not self.server.started:
            if time.time() > deadline:
                raise RuntimeError("live server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_db_url() -> Iterator[str]:
    """A database for a module's live server, seeded by the module's own fixtures."""
    loop = asyncio.new_event_loop()
    try:
        db = loop.run_until_complete(fresh_database())
        url = db.engine.url.render_as_string(hide_password=False)
        loop.run_until_complete(db.dispose())
    finally:
        loop.close()
    yield url


def run_sync(coro: Any) -> Any:
    """Run a coroutine on a private loop (for module-scoped sync fixtures)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()
