"""Who hears about a report, at once: every account that is the patient or has the patient bound (in-app), and
the patient's own phone (SMS that says only that a report is ready)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from yihu.kit.crypto import mask_name
from yihu.notify import service as notify
from yihu.registry import service as registry
from yihu.reports import repository
from yihu.reports.models import Report


async def _send(session: AsyncSession, report: Report, inapp: str, sms: str | None, **extra: str) -> None:
    patient = await registry.get_patient(session, report.patient_id)
    inst = await registry.get_institution(session, report.institution_id)
    link = f"/resident/reports/{report.id}"
    for account_id, lang in await repository.recipients(session, report.patient_id):
        notify.enqueue_inapp(session, account_id=account_id, template=inapp, lang=lang,
                             params={"patient": patient.name, "institution": inst.name, "title": report.title,
                                     "link": link, **extra})
    phone = registry.phone_of(patient)
    if sms is not None and phone:
        notify.enqueue_sms(session, phone=phone, template=sms,
                           params={"patient": mask_name(patient.name), "institution": inst.name})


async def published(session: AsyncSession, report: Report) -> None:
    await _send(session, report, "report_ready", "report_ready_sms")


async def amended(session: AsyncSession, report: Report) -> None:
    await _send(session, report, "report_amended", "report_amended_sms")


async def withdrawn(session: AsyncSession, report: Report) -> None:
    await _send(session, report, "report_withdrawn", None, reason=report.error_reason or "")
