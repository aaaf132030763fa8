"""A report is a chain of versions: amending adds a version and marks the one before it superseded.

``current_of`` holds the chain's id (``lineage_id``) on the latest version only and is NULL on the versions it
replaced; the unique constraint on it keeps a single latest version per report even when two amendments race.
Rows are never deleted (the migration's triggers refuse it) and an observation never changes once written.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yihu.db import Base, IdMixin, TimestampMixin

KINDS = ("lab", "imaging")
STATUSES = ("final", "amended", "entered-in-error")
FLAGS = ("H", "L", "N", "A")


class Report(IdMixin, TimestampMixin, Base):
    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("lineage_id", "version"),
        UniqueConstraint("current_of"),
        CheckConstraint("kind IN ('lab', 'imaging')", name="kind_known"),
        CheckConstraint("status IN ('final', 'amended', 'entered-in-error')", name="status_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_report_patient_published", "patient_id", "published_at"),
        Index("ix_report_institution_published", "institution_id", "published_at"),
    )

    lineage_id: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    current_of: Mapped[str | None] = mapped_column(String(36))
    replaces_id: Mapped[str | None] = mapped_column(ForeignKey("report.id"))
    superseded_by_id: Mapped[str | None] = mapped_column(String(36))
    superseded_at: Mapped[datetime | None]
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"))
    appointment_id: Mapped[str | None] = mapped_column(ForeignKey("appointment.id"), index=True)
    author_account_id: Mapped[str | None] = mapped_column(ForeignKey("account.id"))
    kind: Mapped[str] = mapped_column(String(16))
    code_system: Mapped[str] = mapped_column(String(16), default="local")
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(128))
    modality: Mapped[str | None] = mapped_column(String(8))
    body_site: Mapped[str | None] = mapped_column(String(64))
    conclusion: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(24), default="final")
    abnormal_count: Mapped[int] = mapped_column(Integer, default=0)
    effective_at: Mapped[datetime]
    published_at: Mapped[datetime]
    amend_reason: Mapped[str | None] = mapped_column(String(256))
    error_reason: Mapped[str | None] = mapped_column(String(256))
    error_at: Mapped[datetime | None]
    error_by_account_id: Mapped[str | None] = mapped_column(ForeignKey("account.id"))


class ReportObservation(IdMixin, Base):
    """One result of a lab report. Numbers are kept as exact decimal strings (``5.60``), never floats."""

    __tablename__ = "report_observation"
    __table_args__ = (
        UniqueConstraint("report_id", "seq"),
        CheckConstraint("(value_num IS NULL) <> (value_text IS NULL)", name="one_value"),
        CheckConstraint("flag IS NULL OR flag IN ('H', 'L', 'N', 'A')", name="flag_known"),
    )

    report_id: Mapped[str] = mapped_column(ForeignKey("report.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    code_system: Mapped[str] = mapped_column(String(16), default="local")
    code: Mapped[str] = mapped_column(String(32), index=True)
    display: Mapped[str] = mapped_column(String(128))
    value_num: Mapped[str | None] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(32), default="")
    value_text: Mapped[str | None] = mapped_column(String(256))
    low: Mapped[str | None] = mapped_column(String(32))
    high: Mapped[str | None] = mapped_column(String(32))
    reference_text: Mapped[str | None] = mapped_column(String(64))
    flag: Mapped[str | None] = mapped_column(String(1))


from yihu.reports import guard as _guard  # noqa: E402,F401  (registers the no-delete rule with the models)
