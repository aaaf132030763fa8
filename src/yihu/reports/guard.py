"""Reports are never deleted: an ORM delete of a report or a result fails before it reaches the database
(where the migration's triggers refuse it too)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from yihu.errors import DomainError
from yihu.reports import errors
from yihu.reports.models import Report, ReportObservation


@event.listens_for(Session, "before_flush")
def _refuse_deletes(session: Session, _context: Any, _instances: Any) -> None:
    if any(isinstance(o, Report | ReportObservation) for o in session.deleted):
        raise DomainError(errors.NEVER_DELETED)
