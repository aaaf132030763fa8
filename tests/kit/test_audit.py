from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from sqlalchemy import select, text

from tests import builders as b
from tests.conftest import IS_PG
from yihu.kit import audit
from yihu.kit.audit import AuditEvent


async def _drop_guard(session) -> None:
    """What an attacker with database access does first: switch off the append-only triggers."""
    if IS_PG:
        await session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change"))
    else:
        await session.execute(text("DROP TRIGGER audit_event_no_update"))
        await session.execute(text("DROP TRIGGER audit_event_no_delete"))
    await session.commit()


async def _reads(client, session, n: int):
    holder = await b.resident(session)
    await b.done(session)
    for _ in range(n):
        r = await client.get(f"/api/v1/patients/{holder.patient_id}", headers=b.auth(holder))
        assert r.status_code == 200
    return holder


async def test_a_read_writes_who_what_whom_when_where(client, session, db):
    holder = await _reads(client, session, 1)
    events = (await session.scalars(select(AuditEvent).order_by(AuditEvent.seq))).all()
    assert [e.action for e in events] == ["patient.register", "patient.read"]
    read = events[-1]
    assert (read.actor_id, read.actor_role, read.patient_id, read.resource_type) == (
        holder.id, "resident", holder.patient_id, "Patient")
    assert read.ip == "127.0.0.1" and read.request_id and read.occurred_at is not None
    assert read.hash is None  # written with the request, sealed apart
    unsealed = await audit.verify(session)
    assert (unsealed.ok, unsealed.checked, unsealed.unsealed) == (True, 0, 2)
    assert await audit.seal(db) == 2
    await session.rollback()
    events = (await session.scalars(select(AuditEvent).order_by(AuditEvent.seq)
                                    .execution_options(populate_existing=True))).all()
    assert [e.chain_pos for e in events] == [1, 2]
    assert events[0].prev_hash == audit.GENESIS and events[1].prev_hash == events[0].hash
    result = await audit.verify(session)
    assert (result.ok, result.checked, result.unsealed) == (True, 2, 0)


async def test_inline_sealing_after_commit(client, session, db, monkeypatch):
    monkeypatch.setattr(db.settings, "inline_audit_seal", True)
    await _reads(client, session, 2)
    assert audit.sealer.running is not None
    await audit.sealer.running
    result = await audit.verify(session)
    assert (result.ok, result.checked, result.unsealed) == (True, 3, 0)


async def test_a_burst_of_requests_is_sealed_by_a_few_runs_not_one_each(client, session, db, monkeypatch):
    monkeypatch.setattr(db.settings, "inline_audit_seal", True)
    monkeypatch.setattr(db.settings, "audit_seal_interval_seconds", 0.3)
    runs: list[int] = []
    real_seal = audit.seal

    async def counting_seal(database, batch: int = 2000) -> int:
        n = await real_seal(database, batch)
        runs.append(n)
        return n

    monkeypatch.setattr(audit, "seal", counting_seal)
    await asyncio.sleep(0.35)  # the interval since any earlier run has passed: the first request seals at once
    await _reads(client, session, 12)
    while audit.sealer.running is not None and not audit.sealer.running.done():
        await audit.sealer.running
    result = await audit.verify(session)
    assert (result.ok, result.checked, result.unsealed) == (True, 13, 0)
    assert sum(runs) == 13
    assert 1 <= len(runs) <= 4, runs  # 13 commits, sealed by a handful of runs


async def test_events_cannot_be_updated_or_deleted(client, session, db):
    await _reads(client, session, 1)
    for stmt in ("UPDATE audit_event SET action = 'x' WHERE seq = 1", "DELETE FROM audit_event WHERE seq = 1",
                 "UPDATE audit_event SET patient_id = NULL WHERE seq = 2"):
        try:
            await session.execute(text(stmt))
            await session.commit()
            raise AssertionError(f"{stmt} was allowed")
        except AssertionError:
            raise
        except Exception as exc:
            assert "append-only" in str(exc)
            await session.rollback()
    await audit.seal(db)
    try:
        await session.execute(text("UPDATE audit_event SET hash = NULL WHERE seq = 1"))
        await session.commit()
        raise AssertionError("a sealed event was unsealed")
    except AssertionError:
        raise
    except Exception as exc:
        assert "append-only" in str(exc)
        await session.rollback()
    assert (await audit.verify(session)).ok


async def test_verify_finds_a_changed_event(client, session, db):
    await _reads(client, session, 3)
    await audit.seal(db)
    await _drop_guard(session)
    await session.execute(text("UPDATE audit_event SET patient_id = 'someone-else' WHERE seq = 2"))
    await session.commit()
    result = await audit.verify(session)
    assert (result.ok, result.at_pos) == (False, 2)
    assert "changed" in result.problem


async def test_verify_finds_a_removed_event_and_a_cut_tail(client, session, db):
    await _reads(client, session, 4)
    await audit.seal(db)
    await _drop_guard(session)
    await session.execute(text("DELETE FROM audit_event WHERE seq = 5"))
    await session.commit()
    tail = await audit.verify(session)
    assert (tail.ok, tail.checked) == (False, 4)
    assert "removed" in tail.problem
    await session.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    await session.commit()
    middle = await audit.verify(session)
    assert (middle.ok, middle.at_pos) == (False, 2)


async def test_concurrent_requests_and_sealers_keep_one_unbroken_chain(client, session, db):
    holder = await b.resident(session)
    await b.done(session)
    rs = await asyncio.gather(*[client.get(f"/api/v1/patients/{holder.patient_id}", headers=b.auth(holder))
                                for _ in range(20)])
    assert {r.status_code for r in rs} == {200}
    sealed = await asyncio.gather(*[audit.seal(db) for _ in range(4)])
    assert sum(sealed) == 21
    result = await audit.verify(session)
    assert (result.ok, result.checked) == (True, 21)


async def test_cli_verify_exit_codes(client, session, db):
    await _reads(client, session, 2)
    await audit.seal(db)
    env = {**os.environ, "YIHU_DATABASE_URL": db.engine.url.render_as_string(hide_password=False)}
    cmd = [sys.executable, "-m", "yihu.cli", "audit", "verify"]
    ok = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "3 events" in ok.stdout
    await _drop_guard(session)
    await session.execute(text("UPDATE audit_event SET actor_role = 'regulator' WHERE chain_pos = 3"))
    await session.commit()
    bad = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert "event 3 was changed" in bad.stdout


async def test_cli_verify_seals_what_is_pending_first(client, session, db):
    await _reads(client, session, 1)
    env = {**os.environ, "YIHU_DATABASE_URL": db.engine.url.render_as_string(hide_password=False)}
    ok = subprocess.run([sys.executable, "-m", "yihu.cli", "audit", "verify"], env=env, capture_output=True,
                        text=True, timeout=60)
    assert ok.returncode == 0 and "2 events" in ok.stdout
