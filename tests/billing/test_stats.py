from __future__ import annotations

from datetime import timedelta

from tests import builders as b
from tests.billing import helpers as h
from yihu.billing import service, stats
from yihu.db import utcnow


async def test_time_saved_counts_online_settlements_five_minutes_each(client, session, db):
    w = await h.world(session)
    extra = [await service.open_bill(session, service.BillInput(
        kind="outpatient", patient_id=w.holder.patient_id, institution_id=inst.id, amount_fen=1000,
        reference=f"outpatient:t{i}")) for i, inst in enumerate((w.inst, w.inst, w.other_inst))]
    unpaid = await service.open_bill(session, service.BillInput(
        kind="outpatient", patient_id=w.holder.patient_id, institution_id=w.inst.id, amount_fen=700,
        reference="outpatient:unpaid"))
    regulator = await b.staff(session, role="regulator", inst=None)
    await b.done(session)
    await h.pay_fully(db, client, w.holder, w.bill.id, "kiosk")
    for bill, channel in zip(extra, ("wechat", "alipay", "wechat"), strict=True):
        await h.pay_fully(db, client, w.holder, bill.id, channel)
    await h.start_payment(client, w.holder, unpaid.id)  # created, never paid: not a settlement

    t = await stats.time_saved(session)
    assert (t.settlements, t.minutes_saved, t.by_channel) == (4, 20, {"kiosk": 1, "wechat": 2, "alipay": 1})
    assert (await stats.time_saved(session, institution_id=w.inst.id)).settlements == 3
    assert (await stats.time_saved(session, since=utcnow() + timedelta(minutes=1))).settlements == 0

    region = (await client.get("/api/v1/billing/stats", headers=b.auth(regulator))).json()
    assert (region["settlements"], region["minutes_saved"], region["hours_saved"], region["institution_id"]) == (
        4, 20, 0.3, None)
    own = (await client.get("/api/v1/billing/stats", headers=b.auth(w.doctor))).json()
    assert (own["settlements"], own["minutes_saved"], own["institution_id"]) == (3, 15, w.inst.id)
    r = await client.get("/api/v1/billing/stats", params={"institution_id": w.other_inst.id},
                         headers=b.auth(w.doctor))
    assert (r.status_code, r.json()["code"]) == (403, "billing.stats_scope")
    assert (await client.get("/api/v1/billing/stats", headers=b.auth(w.holder))).status_code == 403
    one = (await client.get("/api/v1/billing/stats", params={"institution_id": w.other_inst.id},
                            headers=b.auth(regulator))).json()
    assert one["settlements"] == 1
