"""Publishing, amending and withdrawing reports. Who may do it is decided by the caller (``auth.policy``)."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.db import new_id
from yihu.errors import DomainError
from yihu.kit import clock
from yihu.registry import service as registry
from yihu.reports import errors, notices, results
from yihu.reports.models import Report, ReportObservation
from yihu.reports.repository import ListQuery, get, get_observation, latest, observations, versions
from yihu.reports.results import ObservationInput, ReportInput
from yihu.scheduling import booking

__all__ = ["ListQuery", "ObservationInput", "ReportInput", "amend", "get", "get_observation", "latest",
           "mark_entered_in_error", "observations", "publish", "versions"]


def _rows(report_id: str, data: ReportInput) -> list[ReportObservation]:
    return [ReportObservation(report_id=report_id, seq=i, code_system=o.code_system, code=o.code, display=o.display,
                              value_num=results.decimal_text(o.value), unit=o.unit if o.value is not None else "",
                              value_text=o.value_text if o.value is None else None,
                              low=results.decimal_text(o.low), high=results.decimal_text(o.high),
                              reference_text=o.reference_text, flag=results.flag_of(o))
            for i, o in enumerate(data.observations, start=1)]


async def _check_appointment(session: AsyncSession, data: ReportInput, patient_id: str, institution_id: str) -> None:
    if data.appointment_id is None:
        return
    appt = await booking.get(session, data.appointment_id)
    if appt.patient_id != patient_id or appt.institution_id != institution_id:
        raise DomainError(errors.APPOINTMENT_MISMATCH)


def _new_version(*, report_id: str, lineage_id: str, version: int, institution_id: str, patient_id: str,
                 author_id: str | None, data: ReportInput, rows: list[ReportObservation]) -> Report:
    now = clock.now()
    return Report(id=report_id, lineage_id=lineage_id, version=version, current_of=lineage_id,
                  institution_id=institution_id, patient_id=patient_id, appointment_id=data.appointment_id,
                  author_account_id=author_id, kind=data.kind, code_system=data.code_system, code=data.code,
                  title=data.title, modality=data.modality, body_site=data.body_site, conclusion=data.conclusion,
                  status="final" if version == 1 else "amended",
                  abnormal_count=sum(1 for r in rows if r.flag in ("H", "L", "A")), effective_at=data.effective_at,
                  published_at=now, created_at=now, updated_at=now)


async def publish(session: AsyncSession, *, institution_id: str, patient_id: str, author_id: str | None,
                  data: ReportInput) -> Report:
    """A new report; the patient becomes known to the institution and is notified at once (after commit)."""
    await registry.get_institution(session, institution_id)
    await registry.get_patient(session, patient_id)
    results.check(data)
    await _check_appointment(session, data, patient_id, institution_id)
    rid = new_id()
    rows = _rows(rid, data)
    report = _new_version(report_id=rid, lineage_id=rid, version=1, institution_id=institution_id,
                          patient_id=patient_id, author_id=author_id, data=data, rows=rows)
    session.add(report)
    await session.flush()
    session.add_all(rows)
    await registry.link(session, patient_id, institution_id, "report")
    await notices.published(session, report)
    await session.flush()
    return report


async def _claim(session: AsyncSession, report: Report, **values: object) -> None:
    """Change the latest, not-withdrawn version only, by a conditional update (two amendments cannot both win)."""
    done = await session.execute(
        update(Report).where(Report.id == report.id, Report.current_of.is_not(None),
                             Report.status != "entered-in-error")
        .values(updated_at=clock.now(), **values).execution_options(synchronize_session=False))
    if getattr(done, "rowcount", 0) != 1:
        fresh = await session.get(Report, report.id, populate_existing=True)
        if fresh is not None and fresh.status == "entered-in-error":
            raise DomainError(errors.ENTERED_IN_ERROR)
        raise DomainError(errors.SUPERSEDED)
    await session.refresh(report)


async def amend(session: AsyncSession, report: Report, *, author_id: str | None, data: ReportInput,
                reason: str) -> Report:
    """A new version replaces ``report``, which is kept and marked superseded. Kind and patient stay."""
    if data.kind != report.kind:
        raise DomainError(errors.KIND_CONTENT)
    results.check(data)
    await _check_appointment(session, data, report.patient_id, report.institution_id)
    rid = new_id()
    await _claim(session, report, current_of=None, superseded_by_id=rid, superseded_at=clock.now())
    rows = _rows(rid, data)
    new = _new_version(report_id=rid, lineage_id=report.lineage_id, version=report.version + 1,
                       institution_id=report.institution_id, patient_id=report.patient_id, author_id=author_id,
                       data=data, rows=rows)
    new.replaces_id = report.id
    new.amend_reason = reason
    session.add(new)
    await session.flush()
    session.add_all(rows)
    await notices.amended(session, new)
    await session.flush()
    return new


async def mark_entered_in_error(session: AsyncSession, report: Report, *, by: str | None, reason: str) -> Report:
    """The report stays, shown as entered-in-error with the reason; nothing can change it afterwards."""
    await _claim(session, report, status="entered-in-error", error_reason=reason, error_at=clock.now(),
                 error_by_account_id=by)
    await notices.withdrawn(session, report)
    return report
