"""``yihu billing``: reconciliation and the sandbox's notification delivery."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated

import typer
from rich.console import Console

from yihu.config import get_settings
from yihu.db import Database

app = typer.Typer(help="Payments: reconciliation, sandbox notifications.", no_args_is_help=True)
console = Console(soft_wrap=True)


@app.command("reconcile")
def reconcile_cmd(day: Annotated[str, typer.Option("--date", help="local day, YYYY-MM-DD")],
                  provider: Annotated[str, typer.Option(help="provider name")] = "sandbox") -> None:
    """Compare our settled payments and refunds of a day with the provider's statement; exit 1 on a mismatch."""
    from yihu.billing.reconcile import Report, reconcile

    try:
        the_day = date.fromisoformat(day)
    except ValueError:
        console.print("[red]--date takes YYYY-MM-DD[/red]")
        raise typer.Exit(2) from None

    async def run() -> Report:
        db = Database(get_settings())
        try:
            async with db.sessionmaker() as session:
                return await reconcile(session, the_day, provider)
        finally:
            await db.dispose()

    report = asyncio.run(run())
    console.print(f"{report.day.isoformat()} {report.provider}: ours {report.ours}, provider {report.theirs}, "
                  f"mismatches {len(report.mismatches)}")
    for m in report.mismatches:
        console.print(f"  {m.kind} {m.record} {m.provider_id} ours={m.ours_fen} provider={m.theirs_fen}")
    if not report.ok:
        raise typer.Exit(1)


@app.command("sandbox-deliver")
def sandbox_deliver() -> None:
    """Send the sandbox's pending signed notifications (to YIHU_BILLING_SANDBOX_NOTIFY_BASE_URL, or in-process)."""
    from yihu.billing import sandbox

    async def run() -> int:
        db = Database(get_settings())
        try:
            return await sandbox.deliver_pending(db, sandbox.default_poster(db))
        finally:
            await db.dispose()

    console.print(f"{asyncio.run(run())} notifications delivered")
