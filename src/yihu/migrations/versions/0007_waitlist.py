"""waitlist

Revision ID: 0007_waitlist
Revises: 0002
Create Date: 2026-11-22 22:50:00
"""
import sqlalchemy as sa
from alembic import op

import yihu.db

revision = "0007_waitlist"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "waitlist_entry",
        sa.Column("schedule_id", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("active_key", sa.String(length=64), nullable=True),
        sa.Column("offered_slot_id", sa.String(length=36), nullable=True),
        sa.Column("offer_expires_at", yihu.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("appointment_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", yihu.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_waitlist_entry_account_id_account")),
        sa.ForeignKeyConstraint(["offered_slot_id"], ["slot.id"], name=op.f("fk_waitlist_entry_offered_slot_id_slot")),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_waitlist_entry_patient_id_patient")),
        sa.ForeignKeyConstraint(["schedule_id"], ["schedule.id"], name=op.f("fk_waitlist_entry_schedule_id_schedule")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entry")),
        sa.UniqueConstraint("patient_id", "active_key", name=op.f("uq_waitlist_entry_patient_id")),
    )
    with op.batch_alter_table("waitlist_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_waitlist_entry_account_id"), ["account_id"], unique=False)
        batch_op.create_index("ix_waitlist_queue", ["schedule_id", "day", "status", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("waitlist_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_waitlist_queue")
        batch_op.drop_index(batch_op.f("ix_waitlist_entry_account_id"))
    op.drop_table("waitlist_entry")
