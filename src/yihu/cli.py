"""The ``yihu`` command: serve, demo, db upgrade, seed, audit verify, worker, and dev helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from yihu.billing import cli as billing_cli
from yihu.config import get_settings
from yihu.db import Database

app = typer.Typer(help="Yihu 医护: a regional Internet + Healthcare platform.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
dev_app = typer.Typer(help="Development aids (refused when YIHU_ENV=production).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(dev_app, name="dev")
app.add_typer(billing_cli.app, name="billing")
console = Console()
T = TypeVar("T")


def _run(fn: Callable[[Database], Coroutine[Any, Any, T]]) -> T:
    async def main() -> T:
        db = Database(get_settings())
        try:
            return await fn(db)
        finally:
            await db.dispose()

    return asyncio.run(main())


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=console)


@db_app.command("upgrade")
def db_upgrade(revision: str = "heads") -> None:
    """Migrate the configured database to the newest schema."""
    from yihu import migrate

    migrate.upgrade(revision=revision)
    console.print(f"[green]database at {revision}[/green]")


@app.command()
def serve(host: Annotated[str | None, typer.Option(help="default YIHU_HOST")] = None,
          port: Annotated[int | None, typer.Option(help="default YIHU_PORT")] = None,
          workers: Annotated[int, typer.Option(help="API worker processes (use PostgreSQL for more than one)")] = 1,
          ) -> None:
    """Serve the API, FHIR and the web app."""
    import uvicorn

    s = get_settings()
    host = host or s.host
    port = port or s.port
    if workers > 1 and s.is_sqlite:
        console.print("[yellow]several workers share one SQLite file; use PostgreSQL (YIHU_DATABASE_URL) to scale out[/yellow]")
    console.print(f"Yihu 医护 on [bold]http://{host}:{port}[/bold]  (API docs /api/docs, FHIR /fhir/metadata)")
    uvicorn.run("yihu.app:create_served_app", factory=True, host=host, port=port, workers=workers, access_log=False,
                log_level="warning", proxy_headers=True)


@app.command()
def demo() -> None:
    """Load the deterministic demo district (idempotent) and print the demo logins."""
    from yihu.demo.region import load_demo, print_logins

    with _progress() as progress:
        task = progress.add_task("demo region", total=None)

        def tick(n: int = 1, total: int | None = None) -> None:
            if total is not None:
                progress.update(task, total=total)
            progress.advance(task, n)

        summary = _run(lambda db: load_demo(db, progress=tick))
    print_logins(console, summary)


@app.command()
def seed(residents: Annotated[int, typer.Option(help="synthetic residents to add")] = 1000,
         batch: Annotated[int, typer.Option(help="rows per insert batch")] = 2000) -> None:
    """Add synthetic residents (valid ID numbers, families, cards) to scale the demo up."""
    from yihu.demo.seed import seed_residents

    with _progress() as progress:
        task = progress.add_task("residents", total=residents)
        added = _run(lambda db: seed_residents(db, residents, batch=batch,
                                               progress=lambda n: progress.advance(task, n)))
    console.print(f"[green]{added} residents added[/green]")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit hash chains; exit 1 if an event was changed, inserted or removed."""
    from yihu.kit import audit

    async def check(db: Database) -> audit.VerifyResult:
        async with db.sessionmaker() as session:
            total = await audit.count(session)
            with _progress() as progress:
                task = progress.add_task("audit events", total=total)
                return await audit.verify(session, progress=lambda n: progress.advance(task, n))

    result = _run(check)
    if result.ok:
        console.print(f"[green]audit chains intact: {result.checked} events[/green]")
        return
    console.print(f"[red]audit chain broken: {result.problem}[/red]")
    raise typer.Exit(1)


@app.command()
def worker(once: Annotated[bool, typer.Option(help="deliver what is pending, then stop")] = False,
           interval: float = 1.0) -> None:
    """Deliver the outbox, return freed places, expire waitlist offers, mark no-shows,
    roll slot windows, cancel home-nursing orders nobody took up before their window closed.

    Several workers may run side by side: every step claims its rows by conditional updates."""
    from yihu.db import commit
    from yihu.kit import clock
    from yihu.notify.service import deliver_pending
    from yihu.nursing import upkeep as nursing_upkeep
    from yihu.scheduling import booking, schedules, waitlist

    async def scheduling_upkeep(db: Database, last_day: list[object]) -> None:
        async with db.sessionmaker() as session:
            session.info["db"] = db
            await waitlist.release_due(session)
            await waitlist.expire_offers(session)
            await booking.mark_no_shows(session)
            await nursing_upkeep.cancel_overdue(session)
            today = clock.local_date(clock.now())
            if last_day[0] != today:  # roll every schedule's window forward once a day
                await schedules.generate_window(session, today)
                last_day[0] = today
            await commit(session)

    async def loop(db: Database) -> None:
        last_day: list[object] = [None]
        while True:
            await scheduling_upkeep(db, last_day)
            sent = await deliver_pending(db)
            if once:
                console.print(f"{sent} messages delivered")
                return
            if not sent:
                await asyncio.sleep(interval)

    _run(loop)


def _dev_only() -> None:
    if get_settings().env == "production":
        console.print("[red]refused: development aid, and YIHU_ENV=production[/red]")
        raise typer.Exit(2)


@dev_app.command("sms")
def dev_sms(phone: str) -> None:
    """Show what the recording SMS gateway 'sent' to a phone (e.g. a sign-in code)."""
    _dev_only()
    from yihu.notify.service import deliver_pending, recorded_sms

    async def show(db: Database) -> list[str]:
        await deliver_pending(db)
        async with db.sessionmaker() as session:
            return await recorded_sms(session, phone)

    for line in _run(show):
        console.print(line)


@dev_app.command("totp")
def dev_totp(phone: str) -> None:
    """Print the current second-factor code of an account (demo accounts have known secrets)."""
    _dev_only()
    import pyotp

    from yihu.auth.service import by_phone
    from yihu.kit.vault import vault

    async def code(db: Database) -> str | None:
        async with db.sessionmaker() as session:
            acc = await by_phone(session, phone)
            if acc is None or acc.totp_secret_enc is None:
                return None
            return pyotp.TOTP(vault().open(acc.totp_secret_enc, "account", "totp_secret", acc.id)).now()

    result = _run(code)
    if result is None:
        console.print("no such account with a second factor")
        raise typer.Exit(1)
    console.print(result)


if __name__ == "__main__":
    app()
