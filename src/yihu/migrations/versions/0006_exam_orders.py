"""exam orders

Revision ID: 0006_exam_orders
Revises: 0002
Create Date: 2026-11-22 22:40:00
"""
import sqlalchemy as sa
from alembic import op

import yihu.db

revision = "0006_exam_orders"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exam_order",
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("institution_id", sa.String(length=36), nullable=False),
        sa.Column("ordered_by", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body_site", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("appointment_id", sa.String(length=36), nullable=True),
        sa.Column("ordered_at", yihu.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", yihu.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yihu.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"], name=op.f("fk_exam_order_institution_id_institution")),
        sa.ForeignKeyConstraint(["ordered_by"], ["practitioner.id"], name=op.f("fk_exam_order_ordered_by_practitioner")),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_exam_order_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exam_order")),
    )
    with op.batch_alter_table("exam_order", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exam_order_institution_id"), ["institution_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exam_order_patient_id"), ["patient_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("exam_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exam_order_patient_id"))
        batch_op.drop_index(batch_op.f("ix_exam_order_institution_id"))
    op.drop_table("exam_order")
