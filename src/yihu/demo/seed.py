"""``yihu seed --residents N``: add N synthetic residents to scale the demo up.

Person indexes continue from the number of patients already stored, so each run adds different people and the
same database state always gives the same people. Families come in batches: ID numbers are claimed against the
database, every field is encrypted up front, and each batch is a few bulk INSERTs and one commit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select

from yihu.auth import passwords
from yihu.db import Database, commit, utcnow
from yihu.demo import bulk, district, population
from yihu.demo.keys import DEMO_PASSWORD
from yihu.demo.region import institution_id, load_demo
from yihu.kit import audit, clock
from yihu.registry.models import Patient


async def seed_residents(
    db: Database,
    n: int,
    *,
    batch: int = 2000,
    progress: Callable[[int], None] | None = None,
    today: date | None = None,
) -> int:
    """Add exactly ``n`` residents (about a third of them heads of household with an account)."""
    if n <= 0:
        return 0
    today = today or clock.today()
    batch = max(1, batch)
    await load_demo(db, today=today)  # the district the residents live in (no-op when loaded)
    ids = {i.code: institution_id(i.code) for i in district.INSTITUTIONS}
    password_hash = passwords.hash_password(DEMO_PASSWORD)
    async with db.sessionmaker() as session:
        start = int(await session.scalar(select(func.count()).select_from(Patient)) or 0)
    taken: set[str] = set()
    added = 0
    pending: list[population.Family] = []
    pending_people = 0
    fams = population.families(start, n)
    while added < n:
        f = next(fams, None)
        if f is None and not pending:
            break
        if f is not None:
            pending.append(f)
            pending_people += len(f.members)
        if pending and (pending_people >= batch or f is None):
            async with db.sessionmaker() as session:
                await bulk.claim_id_numbers(session, [m for p in pending for m in p.members], taken)
                blocked = await bulk.taken_account_phones(
                    session, (p.head.phone for p in pending if p.has_account and p.head.phone)
                )
                rows = bulk.family_rows(
                    pending,
                    institution_ids=ids,
                    password_hash=password_hash,
                    today=today,
                    now=utcnow(),
                    blocked_phones=blocked,
                )
                await rows.insert(session)
                added += pending_people
                if added >= n:
                    audit.record(
                        session, audit.SYSTEM, "demo.seed", detail={"residents": n, "first_index": start}
                    )
                await commit(session)
            if progress is not None:
                progress(pending_people)
            pending, pending_people = [], 0
    return added
