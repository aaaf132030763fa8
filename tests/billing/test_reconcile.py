from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import update

from tests import builders as b
from tests.billing import helpers as h
from tests.conftest import IS_PG, PG_URL
from yihu.billing import reconcile, service
from yihu.billing.models import SandboxOrder
from yihu.db import utcnow
from yihu.kit import clock


async def two_paid_bills(client, session, db):
    w = await h.world(session, amount_fen=2500)
    second = await service.open_bill(session, service.BillInput(
        kind="exam", patient_id=w.holder.patient_id, institution_id=w.inst.id, amount_fen=8000,
        reference="exam:us-1", description="B超"))
    await b.done(session)
    p1 = await h.pay_fully(db, client, w.holder, w.bill.id)
    p2 = await h.pay_fully(db, client, w.holder, second.id, "alipay")
    refund = await client.post(f"/api/v1/payments/{p2['id']}/refunds", headers={**b.auth(w.admin), **h.key()},
                               json={"refund_request_id": "R-1", "amount_fen": 3000})
    assert refund.status_code == 201
    await h.deliver(db, client)
    return p1, p2


async def test_matching_books_reconcile_clean(client, session, db):
    await two_paid_bills(client, session, db)
    report = await reconcile.reconcile(session, clock.local_date(utcnow()))
    assert (report.ours, report.theirs, report.mismatches, report.ok) == (3, 3, [], True)


async def test_reconciliation_finds_planted_mismatches(client, session, db):
    p1, p2 = await two_paid_bills(client, session, db)
    # The provider's books: one amount differs, and a payment we never heard of.
    await session.execute(update(SandboxOrder).where(SandboxOrder.id == p1["provider_payment_id"])
                          .values(amount_fen=2600))
    session.add(SandboxOrder(id="sbx_pay_ghost", merchant_reference="not-ours", channel="wechat", amount_fen=990,
                             insurance_fen=0, status="paid", transaction_id="sbx_txn_ghost", created_at=utcnow(),
                             paid_at=utcnow()))
    # Our books: a paid payment the provider's statement does not have.
    await session.execute(update(SandboxOrder).where(SandboxOrder.id == p2["provider_payment_id"])
                          .values(status="closed"))
    await b.done(session)
    day = clock.local_date(utcnow())
    report = await reconcile.reconcile(session, day)
    assert report.ok is False
    assert sorted((m.kind, m.record, m.provider_id, m.ours_fen, m.theirs_fen) for m in report.mismatches) == sorted([
        ("amount", "payment", p1["provider_payment_id"], 2500, 2600),
        ("missing_ours", "payment", "sbx_pay_ghost", None, 990),
        ("missing_provider", "payment", p2["provider_payment_id"], 8000, None),
    ])
    # Another day has nothing to compare.
    assert (await reconcile.reconcile(session, day.replace(year=day.year - 1))).ours == 0

    # The same through the command line, as an operator runs it.
    url = PG_URL if IS_PG else db.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "YIHU_DATABASE_URL": url}
    out = subprocess.run([sys.executable, "-m", "yihu.cli", "billing", "reconcile", "--date", day.isoformat()],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, out.stderr
    assert "mismatches 3" in out.stdout
    assert "missing_ours payment sbx_pay_ghost ours=None provider=990" in out.stdout
    bad = subprocess.run([sys.executable, "-m", "yihu.cli", "billing", "reconcile", "--date", "2026-13-01"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
