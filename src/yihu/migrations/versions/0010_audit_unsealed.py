"""audit: a partial index on the events not yet sealed

Revision ID: 0010_audit_unsealed
Revises: 0009_cockpit_indexes
Create Date: 2026-11-23 07:00:00

The sealer runs a few times a second under load and asks for the unsealed events in ``seq`` order. Without this
index every run read the whole audit table (which only grows); with it, a run reads just the events waiting.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_audit_unsealed'
down_revision = '0009_cockpit_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_event_unsealed", "audit_event", ["seq"], postgresql_where=sa.text("hash IS NULL"),
                    sqlite_where=sa.text("hash IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_audit_event_unsealed", table_name="audit_event")
