"""cockpit indexes: the time columns the cockpit counts by, live status counts, the latest steps per institution

Revision ID: 0009_cockpit_indexes
Revises: 0008_nursing
Create Date: 2026-11-23 01:00:00

The cockpit counts each figure by its own time column (orders placed, visits checked in, completed, paid, rated;
consumables and waste recorded) and the live part counts orders by status. Without these a period query reads the
whole order table. (institution_id, id) lets one institution's consumables and waste be found by an index-only
semi-join. The indexes exist only here (not in the models): models.py belongs to the nursing domain.
"""
from alembic import op

revision = '0009_cockpit_indexes'
down_revision = '0008_nursing'
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_nursing_order_status_institution", "nursing_order", ("status", "institution_id")),
    ("ix_nursing_order_checked_in", "nursing_order", ("checked_in_at",)),
    ("ix_nursing_order_completed", "nursing_order", ("completed_at",)),
    ("ix_nursing_order_paid", "nursing_order", ("paid_at",)),
    ("ix_nursing_order_rated", "nursing_order", ("rated_at",)),
    ("ix_nursing_order_institution_id", "nursing_order", ("institution_id", "id")),
    ("ix_nursing_rating_rated", "nursing_rating", ("rated_at",)),
    ("ix_nursing_order_event_institution_at", "nursing_order_event", ("institution_id", "at")),
    ("ix_nursing_consumable_use_recorded", "nursing_consumable_use", ("recorded_at",)),
    ("ix_nursing_waste_recorded", "nursing_waste", ("recorded_at",)),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, list(columns))


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
