"""Alembic environment: runs against the async engine of the configured database."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from yihu.config import get_settings
from yihu.db import Database
from yihu.models import metadata

config = context.config
target_metadata = metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def _main(url: str) -> None:
    db = Database(get_settings(), url)
    async with db.engine.begin() as conn:
        await conn.run_sync(_run)
    await db.dispose()


def run() -> None:
    url: Any = config.attributes.get("url") or get_settings().effective_database_url
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_main(str(url)))


run()
