"""Consumables from the kit (billed by use), medical waste, and check-out opening the bill."""

from __future__ import annotations

from sqlalchemy import func, select

from tests import builders as b
from tests.nursing import builders as nb
from tests.nursing import visit_builders as vb
from yihu.billing.models import Bill
from yihu.notify.models import OutboxMessage
from yihu.nursing import catalogue
from yihu.nursing.models import NursingOrder
from yihu.nursing.visit_models import NursingConsumableUse, NursingWaste

WASTE = {"kind": "infectious", "weight_g": 120, "disposal": "returned_to_institution"}


async def _kit_item(session, w):
    it = await nb.item(session, code="HN902", kit=[{"consumable": "dressing_pack", "count": 1},
                                                   {"consumable": "saline", "count": 2}])
    await catalogue.set_offering(session, w.inst.id, it.id, True)
    await b.done(session)
    return it


async def _order(session, order_id) -> NursingOrder:
    return await session.scalar(select(NursingOrder).where(NursingOrder.id == order_id)
                                .execution_options(populate_existing=True))


async def test_consumables_are_counted_from_the_kit_and_summed(client, session):
    w = await nb.world(session)
    it = await _kit_item(session, w)
    o = await vb.in_service(client, w, item_id=it.id)
    url = f"/api/v1/nursing/orders/{o['id']}/consumables"
    r = await client.post(url, json={"items": [{"code": "dressing_pack", "count": 2}, {"code": "saline", "count": 3}]},
                          headers=vb.nurse_h(w))
    assert r.status_code == 200, r.text
    assert r.json()["consumables_fen"] == 2 * 1500 + 3 * 500
    assert [(u["code"], u["count"], u["unit_fen"], u["amount_fen"]) for u in r.json()["used"]] == [
        ("dressing_pack", 2, 1500, 3000), ("saline", 3, 500, 1500)]
    # a second report of a code replaces its count
    r = await client.post(url, json={"items": [{"code": "dressing_pack", "count": 1}]}, headers=vb.nurse_h(w))
    assert r.json()["consumables_fen"] == 1500 + 1500
    assert await session.scalar(select(func.count()).select_from(NursingConsumableUse)) == 2
    # not in the kit: 422, nothing changes
    r = await client.post(url, json={"items": [{"code": "saline", "count": 9}, {"code": "gloves", "count": 1}]},
                          headers=vb.nurse_h(w))
    assert (r.status_code, r.json()["code"]) == (422, "nursing.consumable_not_in_kit")
    assert "gloves" in r.json()["message"]
    assert (await _order(session, o["id"])).consumables_fen == 3000
    assert await session.scalar(select(NursingConsumableUse.count).where(
        NursingConsumableUse.consumable_code == "saline")) == 3
    # the resident reads what was used; only the assigned nurse reports
    r = await client.get(url, headers=b.auth(w.resident))
    assert r.status_code == 200 and r.json()["consumables_fen"] == 3000
    assert [k["consumable"] for k in r.json()["kit"]] == ["dressing_pack", "saline"]
    assert [(k["name_zh"], k["unit"], k["price_fen"]) for k in r.json()["kit"]] == [("换药包", "包", 1500),
                                                                                  ("生理盐水", "支", 500)]
    r = await client.post(url, json={"items": [{"code": "saline", "count": 1}]}, headers=vb.nurse_h(w, 1))
    assert r.status_code == 403
    assert (await _order(session, o["id"])).consumables_fen == 3000


async def test_consumables_and_waste_only_during_the_service(client, session):
    w = await nb.world(session)
    o = await vb.on_the_way(client, w)
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/consumables",
                          json={"items": [{"code": "dressing_pack", "count": 1}]}, headers=vb.nurse_h(w))
    assert (r.status_code, r.json()["code"]) == (409, "nursing.consumables_closed")
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/waste", json=WASTE, headers=vb.nurse_h(w))
    assert (r.status_code, r.json()["code"]) == (409, "nursing.consumables_closed")
    assert await session.scalar(select(func.count()).select_from(NursingConsumableUse)) == 0
    assert await session.scalar(select(func.count()).select_from(NursingWaste)) == 0


async def test_waste_is_recorded_with_kind_amount_and_disposal(client, session):
    w = await nb.world(session)
    o = await vb.in_service(client, w)
    url = f"/api/v1/nursing/orders/{o['id']}/waste"
    r = await client.post(url, json=WASTE, headers=vb.nurse_h(w))
    assert r.status_code == 201, r.text
    r = await client.post(url, json={"kind": "sharps", "count": 2, "disposal": "sealed_sharps_box"},
                          headers=vb.nurse_h(w))
    assert [(x["kind"], x["count"], x["weight_g"], x["disposal"]) for x in r.json()] == [
        ("infectious", None, 120, "returned_to_institution"), ("sharps", 2, None, "sealed_sharps_box")]
    r = await client.post(url, json={"kind": "sharps", "count": 1, "disposal": "institution_collection"},
                          headers=vb.nurse_h(w))
    assert (r.status_code, r.json()["code"]) == (422, "nursing.sharps_need_box")
    for bad in ({"kind": "infectious", "disposal": "returned_to_institution"},
                {"kind": "radioactive", "count": 1, "disposal": "returned_to_institution"},
                {"kind": "infectious", "count": 1, "disposal": "household_bin"}):
        r = await client.post(url, json=bad, headers=vb.nurse_h(w))
        assert r.status_code == 422, bad
    assert await session.scalar(select(func.count()).select_from(NursingWaste)) == 2
    r = await client.get(url, headers=b.auth(w.admin))
    assert len(r.json()) == 2


async def test_check_out_bills_price_visit_fee_and_consumables(client, session):
    w = await nb.world(session)
    it = await _kit_item(session, w)
    o = await vb.in_service(client, w, item_id=it.id)
    nh = vb.nurse_h(w)
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/consumables",
                          json={"items": [{"code": "dressing_pack", "count": 2}, {"code": "saline", "count": 1}]},
                          headers=nh)
    assert r.json()["consumables_fen"] == 3500
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/record", json=vb.record_body(), headers=nh)
    assert r.status_code == 201
    # the item makes infectious waste: no check-out before its disposal is recorded
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/check-out", json=vb.HOME, headers=nh)
    assert (r.status_code, r.json()["code"]) == (409, "nursing.waste_missing")
    assert (await _order(session, o["id"])).status == "recorded"
    assert await session.scalar(select(func.count()).select_from(Bill)) == 0
    assert (await client.post(f"/api/v1/nursing/orders/{o['id']}/waste", json=WASTE, headers=nh)).status_code == 201
    # another nurse cannot check out
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/check-out", json=vb.HOME, headers=vb.nurse_h(w, 1))
    assert r.status_code == 403
    notices = await session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.account_id == w.resident.id))
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/check-out", json=vb.HOME, headers=nh)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "completed" and out["bill_amount_fen"] == 6000 + 12000 + 3500
    bill = await session.scalar(select(Bill))
    assert (bill.id, bill.amount_fen, bill.kind, bill.reference, bill.status) == (
        out["bill_id"], 21500, "nursing", f"nursing:{o['id']}", "unpaid")
    assert (bill.patient_id, bill.institution_id, bill.account_id) == (w.patient_id, w.inst.id, w.resident.id)
    row = await _order(session, o["id"])
    assert (row.bill_id, row.consumables_fen) == (bill.id, 3500)
    assert row.checked_out_at is not None and row.completed_at == row.checked_out_at
    assert await session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.account_id == w.resident.id)) == notices + 1
    # after check-out nothing more is billed, and a second check-out is refused
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/consumables",
                          json={"items": [{"code": "saline", "count": 5}]}, headers=nh)
    assert r.status_code == 409
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/check-out", json=vb.HOME, headers=nh)
    assert (r.status_code, r.json()["code"]) == (409, "nursing.illegal_step")
    assert await session.scalar(select(func.count()).select_from(Bill)) == 1
    detail = (await client.get(f"/api/v1/nursing/orders/{o['id']}", headers=b.auth(w.resident))).json()
    assert [e["action"] for e in detail["events"]] == ["create", "assess_approve", "accept", "assign", "consent",
                                                       "depart", "check_in", "record", "complete"]
    assert detail["bill_id"] == bill.id
