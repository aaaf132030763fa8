from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from tests import builders as b
from tests.reports.seed import cbc, chest_ct, counts, family
from yihu.errors import DomainError
from yihu.notify.models import OutboxMessage
from yihu.reports.models import Report, ReportObservation


async def publish(client, f, body):
    r = await client.post(f"/api/v1/institutions/{f.hospital.id}/reports", headers=b.auth(f.doctor), json=body)
    assert r.status_code == 201, r.text
    return r.json()


def amended_body(patient_id):
    body = cbc(patient_id)
    body["observations"][0] = {**body["observations"][0], "value": "8.10"}
    return {k: v for k, v in body.items() if k not in ("patient_id", "kind")} | {"reason": "标本复测，更正白细胞计数"}


async def test_amending_adds_a_version_and_keeps_the_old_one(client, session):
    f = await family(session)
    await b.done(session)
    old = await publish(client, f, cbc(f.holder.patient_id))
    r = await client.post(f"/api/v1/reports/{old['id']}/amend", headers=b.auth(f.admin),
                          json=amended_body(f.holder.patient_id))
    assert r.status_code == 201, r.text
    new = r.json()
    assert (new["status"], new["version"], new["abnormal_count"], new["amend_reason"]) == (
        "amended", 2, 1, "标本复测，更正白细胞计数")
    assert [(o["value"], o["flag"]) for o in new["observations"]][:2] == [("8.10", "N"), ("98", "L")]
    assert [(v["version"], v["status"], v["superseded"]) for v in new["versions"]] == [
        (1, "final", True), (2, "amended", False)]
    kept = (await client.get(f"/api/v1/reports/{old['id']}", headers=b.auth(f.holder))).json()
    assert (kept["status"], kept["superseded"], kept["superseded_by_id"]) == ("final", True, new["id"])
    assert [(o["value"], o["flag"]) for o in kept["observations"]][0] == ("12.60", "H")
    listed = (await client.get("/api/v1/reports", headers=b.auth(f.holder))).json()["items"]
    assert [i["id"] for i in listed] == [new["id"]]
    # The old version cannot be amended again: only the latest one can.
    before = await counts(session)
    r = await client.post(f"/api/v1/reports/{old['id']}/amend", headers=b.auth(f.doctor),
                          json=amended_body(f.holder.patient_id))
    assert (r.status_code, r.json()["code"]) == (409, "report.superseded")
    r = await client.post(f"/api/v1/reports/{new['id']}/amend", headers=b.auth(f.doctor),
                          json={**amended_body(f.holder.patient_id), "observations": []})
    assert r.json()["code"] == "report.content_invalid"
    assert await counts(session) == before
    templates = (await session.scalars(select(OutboxMessage.template))).all()
    # The holder is the patient and nobody else has him bound: one in-app message and one SMS each time.
    assert sorted(templates) == ["report_amended", "report_amended_sms", "report_ready", "report_ready_sms"]


async def test_entered_in_error_keeps_the_row_and_freezes_it(client, session):
    f = await family(session)
    await b.done(session)
    rep = await publish(client, f, chest_ct(f.spouse.patient_id))
    r = await client.post(f"/api/v1/reports/{rep['id']}/entered-in-error", headers=b.auth(f.doctor),
                          json={"reason": "患者身份核对错误"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["error_reason"], r.json()["conclusion"]) == (
        "entered-in-error", "患者身份核对错误", rep["conclusion"])
    seen = (await client.get(f"/api/v1/reports/{rep['id']}", headers=b.auth(f.spouse))).json()
    assert (seen["status"], seen["error_reason"]) == ("entered-in-error", "患者身份核对错误")
    listed = (await client.get("/api/v1/reports", headers=b.auth(f.spouse))).json()["items"]
    assert [(i["id"], i["status"]) for i in listed] == [(rep["id"], "entered-in-error")]
    before = await counts(session)
    for path, body in (("entered-in-error", {"reason": "再次标记"}),
                       ("amend", {k: v for k, v in chest_ct("").items() if k not in ("patient_id", "kind")}
                        | {"reason": "更正"})):
        r = await client.post(f"/api/v1/reports/{rep['id']}/{path}", headers=b.auth(f.doctor), json=body)
        assert (r.status_code, r.json()["code"]) == (409, "report.entered_in_error")
    assert await counts(session) == before
    withdrawn = (await session.scalars(select(OutboxMessage.template).where(
        OutboxMessage.template == "report_withdrawn"))).all()
    assert len(withdrawn) == 2  # the spouse and the holder, in-app; no SMS


async def test_no_delete_is_possible(client, session):
    f = await family(session)
    await b.done(session)
    rep = await publish(client, f, cbc(f.holder.patient_id))
    r = await client.delete(f"/api/v1/reports/{rep['id']}", headers=b.auth(f.admin))
    assert (r.status_code, r.json()["code"]) == (405, "common.method_not_allowed")
    row = await session.get(Report, rep["id"])
    await session.delete(row)
    with pytest.raises(DomainError) as e:
        await session.flush()
    assert e.value.code == "report.never_deleted"
    await session.rollback()
    # Below the ORM, the database refuses it too; and a published result or conclusion never changes in place.
    for stmt in ("DELETE FROM report_observation WHERE report_id = :id", "DELETE FROM report WHERE id = :id",
                 "UPDATE report SET conclusion = 'x' WHERE id = :id",
                 "UPDATE report SET status = 'final', title = '改' WHERE id = :id",
                 "UPDATE report_observation SET value_num = '5.0' WHERE report_id = :id"):
        with pytest.raises((DBAPIError, IntegrityError)):
            await session.execute(text(stmt), {"id": rep["id"]})
        await session.rollback()
    assert await session.scalar(select(Report.conclusion).where(Report.id == rep["id"])) == ""
    values = (await session.scalars(select(ReportObservation.value_num).where(
        ReportObservation.report_id == rep["id"]).order_by(ReportObservation.seq))).all()
    assert values == ["12.60", "98", "210", None]


async def test_two_amendments_of_one_version_cannot_both_win(session):
    from yihu.reports import service

    f = await family(session)
    await b.done(session)
    from datetime import UTC, datetime

    data = service.ReportInput(kind="imaging", code="US-ABD", title="腹部超声", conclusion="肝胆胰脾未见异常。",
                               effective_at=datetime(2026, 11, 20, tzinfo=UTC))
    rep = await service.publish(session, institution_id=f.hospital.id, patient_id=f.holder.patient_id,
                                author_id=f.doctor.id, data=data)
    await b.done(session)
    stale = await session.get(Report, rep.id)
    await service.amend(session, rep, author_id=f.doctor.id, data=data, reason="补充描述")
    with pytest.raises(DomainError) as e:
        await service.amend(session, stale, author_id=f.doctor.id, data=data, reason="补充描述")
    assert e.value.code == "report.superseded"
