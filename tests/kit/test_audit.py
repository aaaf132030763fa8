from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from tests import builders as b
from tests.conftest import IS_PG
from yihu import migrate
from yihu.db import commit
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


async def _events(session) -> list[AuditEvent]:
    await session.rollback()  # a fresh snapshot
    return list((await session.scalars(select(AuditEvent).order_by(AuditEvent.seq)
                                       .execution_options(populate_existing=True))).all())


def _one_chain(monkeypatch, chain: int = 7) -> None:
    monkeypatch.setattr(audit, "pick_chain", lambda: chain)


async def test_a_read_writes_who_what_whom_when_where_and_is_chained_at_once(client, session):
    holder = await _reads(client, session, 1)
    events = await _events(session)
    assert [e.action for e in events] == ["patient.register", "patient.read"]
    read = events[-1]
    assert (read.actor_id, read.actor_role, read.patient_id, read.resource_type) == (
        holder.id, "resident", holder.patient_id, "Patient")
    assert read.ip == "127.0.0.1" and read.request_id and read.occurred_at is not None
    heads = dict((await session.execute(text("SELECT id, hash FROM audit_head"))).all())
    for e in events:  # chained by the statement that wrote it, in the request's own transaction
        assert 1 <= e.chain <= audit.CHAINS
        expected = audit.link(e.prev_hash, e.chain, e.chain_pos, audit.digest({f: getattr(e, f) for f in audit.FIELDS}))
        assert e.hash == expected
        if e.chain_pos == 1:
            assert e.prev_hash == audit.GENESIS
    assert {heads[e.chain] for e in events} <= {e.hash for e in events}
    result = await audit.verify(session)
    assert (result.ok, result.checked) == (True, 2)


async def test_one_chain_links_event_to_event(client, session, monkeypatch):
    _one_chain(monkeypatch)
    await _reads(client, session, 2)
    events = await _events(session)
    assert [(e.chain, e.chain_pos) for e in events] == [(7, 1), (7, 2), (7, 3)]
    assert [e.prev_hash for e in events] == [audit.GENESIS, events[0].hash, events[1].hash]
    head = (await session.execute(text("SELECT pos, hash, prev FROM audit_head WHERE id = 7"))).one()
    assert tuple(head) == (3, events[2].hash, events[1].hash)
    assert (await session.execute(text("SELECT count(*) FROM audit_head WHERE pos > 0"))).scalar_one() == 1


async def test_events_cannot_be_updated_or_deleted(client, session):
    await _reads(client, session, 1)
    before = [(e.seq, e.action, e.patient_id, e.hash) for e in await _events(session)]
    for stmt in ("UPDATE audit_event SET action = 'x' WHERE seq = 1", "DELETE FROM audit_event WHERE seq = 1",
                 "UPDATE audit_event SET patient_id = NULL WHERE seq = 2", "UPDATE audit_event SET hash = NULL",
                 "UPDATE audit_event SET chain_pos = chain_pos + 10"):
        with pytest.raises(Exception, match="append-only"):
            await session.execute(text(stmt))
            await session.commit()
        await session.rollback()
    assert [(e.seq, e.action, e.patient_id, e.hash) for e in await _events(session)] == before
    assert (await audit.verify(session)).ok


async def test_verify_finds_a_changed_event(client, session, monkeypatch):
    _one_chain(monkeypatch, 3)
    await _reads(client, session, 3)
    await _drop_guard(session)
    await session.execute(text("UPDATE audit_event SET patient_id = 'someone-else' WHERE seq = 2"))
    await session.commit()
    result = await audit.verify(session)
    assert (result.ok, result.chain, result.at_pos, result.checked) == (False, 3, 2, 1)
    assert result.problem == "chain 3: event 2 was changed"


async def test_verify_finds_a_removed_event_a_cut_tail_and_an_added_one(client, session, monkeypatch):
    _one_chain(monkeypatch)
    await _reads(client, session, 4)
    await _drop_guard(session)
    await session.execute(text("DELETE FROM audit_event WHERE seq = 5"))
    await session.commit()
    tail = await audit.verify(session)
    assert (tail.ok, tail.checked, tail.at_pos) == (False, 4, 5)
    assert tail.problem == "chain 7 ends at 4 but its head says 5: events were removed"
    # A forged event at the end, linked correctly: the head has not moved, so it shows.
    last = (await _events(session))[-1]
    forged = {f: getattr(last, f) for f in audit.FIELDS} | {"action": "patient.forged"}
    await session.execute(text("UPDATE audit_head SET pos = 4, hash = :h WHERE id = 7"), {"h": last.hash})
    await session.execute(AuditEvent.__table__.insert().values(
        **forged, chain=7, chain_pos=5, prev_hash=last.hash, hash=audit.link(last.hash, 7, 5, audit.digest(forged))))
    await session.commit()
    added = await audit.verify(session)
    assert added.problem == "chain 7 goes on to 5 past its head at 4: events were added"
    await session.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    await session.commit()
    middle = await audit.verify(session)
    assert (middle.ok, middle.at_pos, middle.problem) == (False, 2, "chain 7: event 2 is missing")


async def test_a_head_wound_back_to_the_start_is_found(client, session, monkeypatch):
    _one_chain(monkeypatch, 9)
    await _reads(client, session, 1)
    await session.execute(text("DELETE FROM audit_head WHERE id = 9"))
    await session.commit()
    assert (await audit.verify(session)).problem == "chain 9 has no head: its events were added"
    await session.execute(text("INSERT INTO audit_head (id, pos, hash) VALUES (9, 0, :g)"), {"g": audit.GENESIS})
    await session.commit()
    assert (await audit.verify(session)).problem == "chain 9 goes on to 2 past its head at 0: events were added"


async def test_an_event_is_never_written_without_its_chain(session, monkeypatch):
    """A missing head row fails the unit of work: neither the event nor anything else of it is written."""
    _one_chain(monkeypatch, 11)
    await session.execute(text("DELETE FROM audit_head WHERE id = 11"))
    await session.commit()
    holder = await b.resident(session)  # queues patient.register
    with pytest.raises(audit.MissingHead):
        await commit(session)
    await session.rollback()
    assert await audit.count(session) == 0
    assert (await session.execute(text("SELECT count(*) FROM account WHERE id = :i"), {"i": holder.id})
            ).scalar_one() == 0


@pytest.mark.parametrize("events", [1, 3])
async def test_a_missing_head_writes_none_of_the_units_events(db, session, monkeypatch, events):
    _one_chain(monkeypatch, 12)
    await session.execute(text("DELETE FROM audit_head WHERE id = 12"))
    await session.commit()
    async with db.sessionmaker() as s:
        for k in range(events):
            audit.record(s, audit.SYSTEM, "test.write", detail={"k": k})
        with pytest.raises(audit.MissingHead, match="audit chain 12 has no head row"):
            await commit(s)
    assert await audit.count(session) == 0


async def test_concurrent_writers_on_few_chains_keep_every_chain_unbroken(db, session, monkeypatch):
    """Twenty units of work of three events each, at once, on two chains: every position is taken once."""
    picks = iter([1, 2] * 10)
    monkeypatch.setattr(audit, "pick_chain", lambda: next(picks))
    started = asyncio.Event()

    async def unit(i: int) -> None:
        async with db.sessionmaker() as s:
            for k in range(3):
                audit.record(s, audit.SYSTEM, "test.write", detail={"unit": i, "k": k})
            await started.wait()
            await commit(s)

    tasks = [asyncio.create_task(unit(i)) for i in range(20)]
    await asyncio.sleep(0.05)
    started.set()
    await asyncio.gather(*tasks)
    rows = (await session.execute(select(AuditEvent.chain, AuditEvent.chain_pos, AuditEvent.detail)
                                  .order_by(AuditEvent.chain, AuditEvent.chain_pos))).all()
    assert [(c, p) for c, p, _ in rows] == [(1, p) for p in range(1, 31)] + [(2, p) for p in range(1, 31)]
    by_unit: dict[int, list[tuple[int, int]]] = {}
    for c, p, detail in rows:
        by_unit.setdefault(json.loads(detail)["unit"], []).append((c, p))
    # A unit's three events sit together on its one chain, in order.
    assert sorted(by_unit) == list(range(20))
    assert all(ps == [(ps[0][0], ps[0][1] + k) for k in range(3)] for ps in by_unit.values())
    result = await audit.verify(session)
    assert (result.ok, result.checked) == (True, 60)


async def test_a_unit_of_work_writes_its_events_in_three_statements_however_many(db, session, monkeypatch):
    """A stop-clinic cancels many bookings at once: its events are one multi-row insert between locking the chain's
    head and moving it, not a statement each. A single event is one statement on PostgreSQL."""
    _one_chain(monkeypatch, 5)
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        if "audit_" in statement:
            sent.append(statement.split()[0].upper())

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with db.sessionmaker() as s:
            for k in range(50):
                audit.record(s, audit.SYSTEM, "test.bulk", detail={"k": k})
            await commit(s)
        bulk = list(sent)
        sent.clear()
        async with db.sessionmaker() as s:
            audit.record(s, audit.SYSTEM, "test.one")
            await commit(s)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert bulk == ["UPDATE", "INSERT", "UPDATE"]
    assert sent == (["WITH"] if IS_PG else ["UPDATE", "INSERT", "UPDATE"])
    rows = (await session.execute(select(AuditEvent.chain_pos, AuditEvent.action, AuditEvent.detail)
                                  .order_by(AuditEvent.chain_pos))).all()
    assert [(p, a) for p, a, _ in rows] == [(p, "test.bulk") for p in range(1, 51)] + [(51, "test.one")]
    assert [json.loads(d)["k"] for _, _, d in rows[:50]] == list(range(50))
    head = (await session.execute(text("SELECT pos FROM audit_head WHERE id = 5"))).scalar_one()
    assert head == 51
    result = await audit.verify(session)
    assert (result.ok, result.checked) == (True, 51)


async def test_concurrent_requests_keep_every_chain_unbroken(client, session):
    holder = await b.resident(session)
    await b.done(session)
    rs = await asyncio.gather(*[client.get(f"/api/v1/patients/{holder.patient_id}", headers=b.auth(holder))
                                for _ in range(20)])
    assert {r.status_code for r in rs} == {200}
    result = await audit.verify(session)
    assert (result.ok, result.checked) == (True, 21)


def test_the_append_statement_takes_the_fields_in_their_order():
    columns = audit.APPEND.split("INSERT INTO audit_event (", 1)[1].split(")", 1)[0]
    assert tuple(c.strip() for c in columns.split(",")) == (*audit.FIELDS, "chain", "chain_pos", "prev_hash", "hash")
    select_list = audit.APPEND.split(") SELECT ", 1)[1]
    assert [f"${i}" in select_list for i in range(1, len(audit.FIELDS) + 1)] == [True] * len(audit.FIELDS)
    assert audit.APPEND_PARAMS == (*audit.FIELDS, "digest", "chain")


async def test_cli_verify_exit_codes(client, session, db, monkeypatch):
    _one_chain(monkeypatch, 5)
    await _reads(client, session, 2)
    env = {**os.environ, "YIHU_DATABASE_URL": db.engine.url.render_as_string(hide_password=False)}
    cmd = [sys.executable, "-m", "yihu.cli", "audit", "verify"]
    ok = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "audit chains intact: 3 events" in ok.stdout
    await _drop_guard(session)
    await session.execute(text("UPDATE audit_event SET actor_role = 'regulator' WHERE chain_pos = 3"))
    await session.commit()
    bad = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert "chain 5: event 3 was changed" in bad.stdout


@pytest.mark.skipif(IS_PG, reason="the migration's own round trip, on a file of its own")
async def test_the_migration_chains_old_events_anew_and_back(tmp_path: Path):
    """Events written and sealed the old way (0010) are chained anew by 0011; the downgrade chains them back."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    cfg = migrate.alembic_config(url)
    await asyncio.to_thread(command.upgrade, cfg, "0010_audit_unsealed")
    engine = create_async_engine(url)
    async with engine.begin() as c:
        for i in range(3):
            await c.execute(text("INSERT INTO audit_event (occurred_at, actor_role, action, ip, detail) "
                                 "VALUES ('2026-11-20 08:00:0" + str(i) + ".123456', 'system', 'old', 'local', '{}')"))
    await asyncio.to_thread(command.upgrade, cfg, "heads")
    async with engine.connect() as c:
        rows = (await c.execute(text("SELECT chain, chain_pos FROM audit_event ORDER BY seq"))).all()
        heads = (await c.execute(text("SELECT count(*), max(pos) FROM audit_head"))).one()
    assert [tuple(r) for r in rows] == [(1, 1), (1, 2), (1, 3)] and tuple(heads) == (audit.CHAINS, 3)
    async with async_sessionmaker(engine)() as s:
        result = await audit.verify(s)
    assert (result.ok, result.checked) == (True, 3)
    await asyncio.to_thread(command.downgrade, cfg, "0010_audit_unsealed")
    async with engine.connect() as c:
        old = (await c.execute(text("SELECT chain_pos, prev_hash FROM audit_event ORDER BY seq"))).all()
        head = (await c.execute(text("SELECT count(*), max(pos) FROM audit_head"))).one()
    assert [r[0] for r in old] == [1, 2, 3] and old[0][1] == audit.GENESIS and tuple(head) == (1, 3)
    await engine.dispose()
