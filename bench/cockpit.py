"""Cockpit on PostgreSQL: 1,000,000 home-nursing orders and 3,000,000 order events over 12 months, ~30 institutions,
~1,200 nurses and the 37-item catalogue (with ratings, consumables, waste and alarms in realistic proportions);
then every cockpit request through the real API app in-process, as the regulator and as an institution admin.

    YIHU_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/yihu_cockpit_bench python bench/cockpit.py

Options: --orders 1000000 --events-per-order 3 --institutions 30 --nurses-per-institution 40 --runs 10 --reload
The data are loaded once (a marker table remembers it); --reload drops the database and loads again.
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from yihu import migrate  # noqa: E402
from yihu.auth.actor import Actor  # noqa: E402
from yihu.auth.tokens import access_token  # noqa: E402
from yihu.cockpit import nursing  # noqa: E402
from yihu.cockpit.groups import breakdowns  # noqa: E402
from yihu.cockpit.window import Window, this_month  # noqa: E402
from yihu.config import get_settings  # noqa: E402
from yihu.db import Database  # noqa: E402
from yihu.kit import clock  # noqa: E402
from yihu.logging import configure  # noqa: E402

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1/yihu_cockpit_bench"
MARKER = "bench_cockpit_marker"
BIG_TABLES = ("nursing_order", "nursing_order_event", "nursing_rating", "nursing_consumable_use", "nursing_waste",
              "nursing_alarm")
WASTE = ["infectious", "infectious", "infectious", "sharps", "sharps", "pharmaceutical", "pathological", "chemical"]


def log(msg: str) -> None:
    print(msg, flush=True)


async def ensure_database(url: str, drop: bool) -> None:
    u = make_url(url)
    admin = create_async_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        if drop:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
        exists = await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": u.database})
        if not exists:
            await conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    await admin.dispose()


async def loaded(db: Database) -> dict[str, Any] | None:
    async with db.engine.connect() as conn:
        if not await conn.scalar(text("SELECT to_regclass(:t) IS NOT NULL"), {"t": MARKER}):
            return None
        row = (await conn.execute(text(f"SELECT orders, events, seconds FROM {MARKER}"))).first()
        return dict(row._mapping) if row else None


async def reference_data(session: AsyncSession, institutions: int, per_inst: int) -> dict[str, Any]:
    """Institutions, nurses, the catalogue and one ordering resident, through the product's own services."""
    from yihu.auth.service import Registration, register_resident
    from yihu.demo.nursing_catalogue import CONSUMABLES, ITEMS
    from yihu.nursing import catalogue
    from yihu.nursing.models import NursingConsumable
    from yihu.registry import directory
    from yihu.registry.idcard import make as make_id_number

    insts = []
    for k in range(institutions):
        insts.append(await directory.create_institution(session, directory.InstitutionInput(
            code=f"BN{k:03d}", name=f"护理机构{k:03d}", kind="chc", latitude=30.76, longitude=120.71)))
    nurses: list[str] = []
    for k, inst in enumerate(insts):
        for j in range(per_inst):
            p = await directory.create_practitioner(session, inst.id, directory.PractitionerInput(
                name=f"护士{k:02d}{j:02d}", sex="female", kind="nurse", licence_no=f"BNL{k:03d}{j:04d}",
                title="supervisor_nurse", practice_start=date(2012, 3, 1)))
            nurses.append(p.id)
    for c in CONSUMABLES.values():
        session.add(NursingConsumable(code=c.code, name_zh=c.name_zh, name_en=c.name_en, unit=c.unit,
                                      price_fen=c.price_fen))
    await session.flush()
    items = []
    for spec in ITEMS:
        item, v = await catalogue.create_item(session, code=spec.code, category=spec.category,
                                              populations=list(spec.populations), content=catalogue.ItemContent(
                                                  name_zh=spec.name_zh, name_en=spec.name_en,
                                                  duration_min=spec.duration_min, price_fen=spec.price_fen,
                                                  visit_fee_fen=spec.visit_fee_fen, risk_level=spec.risk_level,
                                                  credentials=list(spec.credentials),
                                                  nurses_required=spec.nurses_required,
                                                  kit=[{"consumable": k.consumable, "count": k.count}
                                                       for k in spec.kit],
                                                  waste_kinds=list(spec.waste_kinds)), account_id=None)
        items.append((item.id, v.id, v.price_fen, v.visit_fee_fen))
    resident = await register_resident(session, Registration(
        name="张三明", id_number=make_id_number("330411", date(1950, 3, 1), 11), phone="13900000001",
        password="Yihu2026ok"))  # noqa: S106 (a synthetic resident)
    await session.commit()
    cons = sorted(CONSUMABLES.values(), key=lambda c: c.code)
    return {"inst": [i.id for i in insts], "nurses": nurses, "per_inst": per_inst, "items": items,
            "account": resident.id, "patient": resident.patient_id,
            "cons": [(c.code, c.name_zh, c.unit, c.price_fen) for c in cons]}


# One row per order from i alone: r and r2 are fixed pseudo-random digits, so the consumables can be recomputed.
ORDERS_SQL = """
WITH g AS (
  SELECT i, (i * 2654435761::bigint) % 1000 AS r, (i * 40503::bigint) % 1000 AS r2,
         now() - interval '365 days' + (i::float8 / CAST(:n AS int)) * interval '365 days' - ((i * 7919) % 3600) * interval '1 second'
           AS created
  FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS i
), s AS (
  SELECT g.*, CASE
      WHEN created > now() - interval '2 days' THEN (ARRAY['requested','first_visit','assessed','accepted','assigned',
           'consented','en_route','in_service','recorded','completed'])[1 + r % 10]
      WHEN r < 30 THEN 'cancelled' WHEN r < 45 THEN 'rejected' WHEN r < 90 THEN 'completed'
      WHEN r < 400 THEN 'paid' ELSE 'rated' END AS status
  FROM g
), t AS (
  SELECT s.*, status IN ('assigned','consented','en_route','in_service','recorded','completed','paid','rated')
           AS staffed,
         status IN ('in_service','recorded','completed','paid','rated') AS visited,
         status IN ('completed','paid','rated') AS done,
         1 + (i % :ninst)::int AS ik, 1 + (r2 % :nitems)::int AS tk
  FROM s
)
INSERT INTO nursing_order (id, number, account_id, patient_id, institution_id, item_id, item_version_id, sequence,
  status, address, latitude, longitude, service_day, window_start_at, window_end_at, condition, price_fen,
  visit_fee_fen, nurses_required, nurse_id, assigned_at, checked_in_at, completed_at, consumables_fen, paid_at,
  rated_at, cancelled_at, created_at, updated_at)
SELECT md5('o' || i)::uuid::text, 'B' || lpad(i::text, 10, '0'), :account, :patient, (CAST(:inst AS text[]))[ik],
  (CAST(:item_ids AS text[]))[tk], (CAST(:version_ids AS text[]))[tk], 1, status, '嘉兴市秀洲区', 30.77, 120.71,
  (created + interval '1 day')::date, created + interval '1 day', created + interval '1 day 2 hours', '',
  (CAST(:prices AS int[]))[tk], (CAST(:fees AS int[]))[tk], 1,
  CASE WHEN staffed THEN (CAST(:nurses AS text[]))[(ik - 1) * :per_inst + 1 + ((i / :ninst) % :per_inst)::int] END,
  CASE WHEN staffed THEN created + interval '3 hours' END,
  CASE WHEN visited THEN LEAST(created + interval '20 hours' + r2 * interval '1 minute', now()) END,
  CASE WHEN done THEN LEAST(created + interval '21 hours' + r2 * interval '1 minute', now()) END,
  CASE WHEN done THEN (1 + r % 3) * (CAST(:cprices AS int[]))[1 + (r2 + 1) % :ncons]
                    + CASE WHEN r % 2 = 1 THEN (1 + r % 3) * (CAST(:cprices AS int[]))[1 + (r2 + 2) % :ncons] ELSE 0 END
       ELSE 0 END,
  CASE WHEN status IN ('paid','rated') THEN LEAST(created + interval '23 hours' + r2 * interval '1 minute', now()) END,
  CASE WHEN status = 'rated' THEN LEAST(created + interval '2 days' + r2 * interval '1 minute', now()) END,
  CASE WHEN status = 'cancelled' THEN created + interval '2 hours' END,
  created, created
FROM t
"""

EVENTS_SQL = """
INSERT INTO nursing_order_event (id, order_id, institution_id, from_status, to_status, action, actor_role, note, at)
SELECT md5('e' || o.id || k)::uuid::text, o.id, o.institution_id,
  CASE k WHEN 1 THEN NULL WHEN 2 THEN 'assessed' ELSE 'recorded' END,
  CASE k WHEN 1 THEN 'requested' WHEN 2 THEN 'accepted'
         ELSE CASE WHEN o.completed_at IS NOT NULL THEN 'completed' WHEN o.status = 'cancelled' THEN 'cancelled'
                   WHEN o.status = 'rejected' THEN 'rejected' ELSE 'assigned' END END,
  CASE k WHEN 1 THEN 'create' WHEN 2 THEN 'accept'
         ELSE CASE WHEN o.completed_at IS NOT NULL THEN 'complete' WHEN o.status = 'cancelled' THEN 'cancel_resident'
                   WHEN o.status = 'rejected' THEN 'assess_reject' ELSE 'assign' END END,
  CASE k WHEN 1 THEN 'resident' WHEN 2 THEN 'institution_admin' ELSE 'nurse' END, '',
  CASE k WHEN 1 THEN o.created_at WHEN 2 THEN o.created_at + interval '1 hour'
         ELSE COALESCE(o.completed_at, o.cancelled_at, o.created_at + interval '3 hours') END
FROM nursing_order o CROSS JOIN generate_series(1, CAST(:per_order AS int)) AS k
WHERE o.number BETWEEN :lo_number AND :hi_number
"""

# i, r and r2 again from the order number, to match the consumables_fen of the order
VISIT_ROWS_SQL = """
WITH o AS (
  SELECT id, institution_id, nurse_id, completed_at, rated_at, checked_in_at, created_at, status,
         substr(number, 2)::bigint AS i
  FROM nursing_order WHERE number BETWEEN :lo_number AND :hi_number AND checked_in_at IS NOT NULL
), v AS (SELECT o.*, (i * 2654435761::bigint) % 1000 AS r, (i * 40503::bigint) % 1000 AS r2 FROM o)
{body}
"""
RATINGS = """INSERT INTO nursing_rating (id, order_id, institution_id, nurse_id, stars, comment, complaint, rated_at)
SELECT md5('r' || id)::uuid::text, id, institution_id, nurse_id,
  CASE WHEN r2 % 100 < 2 THEN 1 WHEN r2 % 100 < 4 THEN 2 WHEN r2 % 100 < 9 THEN 3 WHEN r2 % 100 < 30 THEN 4 ELSE 5 END,
  '', r2 % 100 < 2, rated_at FROM v WHERE status = 'rated'"""
USES = """INSERT INTO nursing_consumable_use (id, order_id, consumable_code, name_zh, unit, count, unit_fen, amount_fen,
  recorded_at)
SELECT md5('c' || id || k)::uuid::text, id, (CAST(:ccodes AS text[]))[c], (CAST(:cnames AS text[]))[c], (CAST(:cunits AS text[]))[c], 1 + (r % 3)::int,
  (CAST(:cprices AS int[]))[c], (1 + (r % 3)::int) * (CAST(:cprices AS int[]))[c], completed_at
FROM (SELECT v.*, k, 1 + ((r2 + k) % :ncons)::int AS c FROM v CROSS JOIN generate_series(1, 2) AS k
      WHERE completed_at IS NOT NULL AND (k = 1 OR r % 2 = 1)) x"""
WASTE_ROWS = """INSERT INTO nursing_waste (id, order_id, kind, count, weight_g, disposal, recorded_at)
SELECT md5('w' || id)::uuid::text, id, (CAST(:kinds AS text[]))[1 + (r2 % :nkinds)::int], 1 + (r % 3)::int, 20 + (r2 % 200)::int,
  'sealed_collected', completed_at FROM v WHERE completed_at IS NOT NULL AND r % 10 < 7"""
ALARMS = """INSERT INTO nursing_alarm (id, order_id, institution_id, nurse_id, note, status, raised_at, closed_at)
SELECT md5('a' || id)::uuid::text, id, institution_id, nurse_id, '',
  CASE WHEN checked_in_at > now() - interval '2 days' THEN 'open' ELSE 'closed' END, checked_in_at + interval '10 minutes',
  CASE WHEN checked_in_at > now() - interval '2 days' THEN NULL ELSE checked_in_at + interval '40 minutes' END
FROM v WHERE r2 % 200 = 0 AND nurse_id IS NOT NULL"""


async def load(db: Database, args: argparse.Namespace) -> float:
    started = time.perf_counter()
    async with db.sessionmaker() as session:
        ref = await reference_data(session, args.institutions, args.nurses_per_institution)
    log(f"reference data: {args.institutions} institutions, {len(ref['nurses'])} nurses, {len(ref['items'])} items "
        f"({time.perf_counter() - started:.1f} s)")
    cons = ref["cons"]
    common = {"n": args.orders, "ninst": len(ref["inst"]), "nitems": len(ref["items"]), "inst": ref["inst"],
              "item_ids": [i[0] for i in ref["items"]], "version_ids": [i[1] for i in ref["items"]],
              "prices": [i[2] for i in ref["items"]], "fees": [i[3] for i in ref["items"]],
              "nurses": ref["nurses"], "per_inst": ref["per_inst"], "account": ref["account"],
              "patient": ref["patient"], "cprices": [c[3] for c in cons], "ncons": len(cons)}
    # Bulk load: plain indexes are dropped and built again afterwards (much faster than growing them row by row),
    # and foreign-key triggers are off in the loading session (the rows are consistent by construction).
    async with db.engine.begin() as conn:
        defs = [(n, d) for n, d in (await conn.execute(text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' AND i.tablename = ANY(:t)"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"),
            {"t": list(BIG_TABLES)})).tuples()]
        for name, _ in defs:
            await conn.execute(text(f'DROP INDEX "{name}"'))
    batch = 250_000
    for lo in range(1, args.orders + 1, batch):
        hi = min(lo + batch - 1, args.orders)
        t0 = time.perf_counter()
        numbers = {"lo_number": f"B{lo:010d}", "hi_number": f"B{hi:010d}"}
        async with db.engine.begin() as conn:
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
            await conn.execute(text(ORDERS_SQL), {**common, "lo": lo, "hi": hi})
            await conn.execute(text(EVENTS_SQL), {**numbers, "per_order": args.events_per_order})
            await conn.execute(text(VISIT_ROWS_SQL.format(body=RATINGS)), numbers)
            await conn.execute(text(VISIT_ROWS_SQL.format(body=USES)), {
                **numbers, "ccodes": [c[0] for c in cons], "cnames": [c[1] for c in cons],
                "cunits": [c[2] for c in cons], "cprices": common["cprices"], "ncons": len(cons)})
            await conn.execute(text(VISIT_ROWS_SQL.format(body=WASTE_ROWS)), {
                **numbers, "kinds": WASTE, "nkinds": len(WASTE)})
            await conn.execute(text(VISIT_ROWS_SQL.format(body=ALARMS)), numbers)
        log(f"orders {lo:,}–{hi:,} with their events, ratings, consumables, waste, alarms: "
            f"{time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    async with db.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("SET maintenance_work_mem = '256MB'"))
        for _, definition in defs:
            await conn.execute(text(definition))
        log(f"{len(defs)} indexes built again: {time.perf_counter() - t0:.1f} s")
        await conn.execute(text("VACUUM ANALYZE"))
    seconds = round(time.perf_counter() - started, 1)
    async with db.engine.begin() as conn:
        events = await conn.scalar(text("SELECT count(*) FROM nursing_order_event"))
        await conn.execute(text(f"CREATE TABLE {MARKER} (orders integer, events integer, seconds float)"))
        await conn.execute(text(f"INSERT INTO {MARKER} VALUES (:o, :e, :s)"),
                           {"o": args.orders, "e": events, "s": seconds})
    return seconds


async def counts(db: Database) -> dict[str, int]:
    out = {}
    async with db.engine.connect() as conn:
        for t in ("nursing_order", "nursing_order_event", "nursing_rating", "nursing_consumable_use", "nursing_waste",
                  "nursing_alarm", "practitioner", "institution", "nursing_item"):
            out[t] = int(await conn.scalar(text(f"SELECT count(*) FROM {t}")) or 0)  # noqa: S608
    return out


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


async def timed(client: httpx.AsyncClient, url: str, headers: dict[str, str], runs: int) -> dict[str, float]:
    r = await client.get(url, headers=headers)  # warm-up, not counted
    assert r.status_code == 200, r.text
    ms = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = await client.get(url, headers=headers)
        ms.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.text
    return {"p50_ms": round(statistics.median(ms), 1), "p95_ms": round(pct(ms, 0.95), 1), "bytes": len(r.content)}


async def measure(db: Database, runs: int) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    from yihu.app import create_app

    async with db.engine.connect() as conn:
        inst = await conn.scalar(text("SELECT id FROM institution WHERE code = 'BN000'"))
    regulator = {"Authorization": "Bearer " + access_token(Actor(account_id="bench-regulator", role="regulator"))}
    admin = {"Authorization": "Bearer " + access_token(Actor(account_id="bench-admin", role="institution_admin",
                                                             institution_id=inst))}
    today = clock.local_date(clock.now())
    year = f"from={(today - timedelta(days=365)).isoformat()}&to={(today + timedelta(days=1)).isoformat()}"
    cases = [
        ("regulator month", "/api/v1/cockpit/nursing", regulator),
        ("regulator 12 months", f"/api/v1/cockpit/nursing?{year}", regulator),
        ("regulator one institution, month", f"/api/v1/cockpit/nursing?institution_id={inst}", regulator),
        ("regulator live", "/api/v1/cockpit/nursing/live", regulator),
        ("institution admin month", "/api/v1/cockpit/nursing", admin),
        ("institution admin 12 months", f"/api/v1/cockpit/nursing?{year}", admin),
        ("institution admin live", "/api/v1/cockpit/nursing/live", admin),
    ]
    app = create_app(get_settings(), db=db)
    configure(level=logging.WARNING)  # one line per request would drown the figures
    out = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench",
                                 timeout=120) as client:
        for name, url, headers in cases:
            out[name] = await timed(client, url, headers, runs)
            log(f"{name:36s} p50 {out[name]['p50_ms']:8.1f} ms   p95 {out[name]['p95_ms']:8.1f} ms")
    # the heaviest query alone (the institution, nurse and item breakdowns over 12 months, region-wide), without
    # HTTP and JSON
    w = Window(today - timedelta(days=365), today + timedelta(days=1))
    raw = []
    async with db.sessionmaker() as session:
        await nursing.tune(session)
        for _ in range(max(3, runs // 3)):
            t0 = time.perf_counter()
            await breakdowns(session, w, None, 20)
            raw.append((time.perf_counter() - t0) * 1000)
    month = this_month(today)
    async with db.sessionmaker() as session:
        await nursing.tune(session)
        t0 = time.perf_counter()
        await breakdowns(session, month, None, 20)
        month_ms = (time.perf_counter() - t0) * 1000
    ref = {"breakdowns_12_months_ms": round(statistics.median(raw), 1), "breakdowns_month_ms": round(month_ms, 1)}
    log(f"the breakdowns query alone (region): 12 months {ref['breakdowns_12_months_ms']} ms, "
        f"this month {ref['breakdowns_month_ms']} ms")
    return out, ref


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--orders", type=int, default=1_000_000)
    p.add_argument("--events-per-order", type=int, default=3)
    p.add_argument("--institutions", type=int, default=30)
    p.add_argument("--nurses-per-institution", type=int, default=40)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--reload", action="store_true")
    args = p.parse_args()
    url = os.environ.get("YIHU_DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgresql"):
        sys.exit("bench/cockpit.py needs PostgreSQL (YIHU_DATABASE_URL=postgresql+asyncpg://...)")
    os.environ["YIHU_DATABASE_URL"] = url
    get_settings.cache_clear()
    await ensure_database(url, drop=args.reload)
    await asyncio.to_thread(migrate.upgrade, url)
    db = Database(get_settings(), url)
    try:
        marker = await loaded(db)
        if marker and marker["orders"] == args.orders:
            log(f"data already loaded ({marker['orders']:,} orders, loaded in {marker['seconds']} s); --reload to redo")
            load_s, reused = float(marker["seconds"]), True
        else:
            if not args.reload:  # a partial or different load: start from an empty database
                await db.dispose()
                await ensure_database(url, drop=True)
                await asyncio.to_thread(migrate.upgrade, url)
                db = Database(get_settings(), url)
            load_s, reused = await load(db, args), False
            log(f"loaded in {load_s} s")
        rows = await counts(db)
        log(", ".join(f"{k} {v:,}" for k, v in rows.items()))
        load_before = os.getloadavg()[0]
        requests, ref = await measure(db, args.runs)
        load_after = os.getloadavg()[0]
        log(f"load average (1 min) on this machine: {load_before:.1f} before the requests, {load_after:.1f} after "
            f"({os.cpu_count()} CPUs)")
    finally:
        await db.dispose()
    print(json.dumps({"benchmark": "cockpit", "rows": rows, "load_seconds": load_s, "data_reused": reused,
                      "runs": args.runs, "requests": requests, "raw_query": ref,
                      "load_average": [round(load_before, 1), round(load_after, 1)], "cpus": os.cpu_count()}, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
