"""queueing: queues per schedule and day, entries with numbers, events for the live views

Revision ID: 0004_queueing
Revises: 0002
Create Date: 2026-11-22 22:37:54.689365
"""
import sqlalchemy as sa
from alembic import op

import yihu.db

revision = '0004_queueing'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('queue',
    sa.Column('schedule_id', sa.String(length=36), nullable=False),
    sa.Column('institution_id', sa.String(length=36), nullable=False),
    sa.Column('department_id', sa.String(length=36), nullable=True),
    sa.Column('practitioner_id', sa.String(length=36), nullable=True),
    sa.Column('room_id', sa.String(length=36), nullable=True),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.Column('event_seq', sa.Integer(), nullable=False),
    sa.Column('current_entry_id', sa.String(length=36), nullable=True),
    sa.Column('served', sa.Integer(), nullable=False),
    sa.Column('service_seconds', sa.Integer(), nullable=False),
    sa.Column('created_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.CheckConstraint('last_number >= 0', name=op.f('ck_queue_last_number_not_negative')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_queue_department_id_department')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_queue_institution_id_institution')),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioner.id'], name=op.f('fk_queue_practitioner_id_practitioner')),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_queue_room_id_room')),
    sa.ForeignKeyConstraint(['schedule_id'], ['schedule.id'], name=op.f('fk_queue_schedule_id_schedule')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue')),
    sa.UniqueConstraint('schedule_id', 'day', name=op.f('uq_queue_schedule_id_day'))
    )
    with op.batch_alter_table('queue', schema=None) as batch_op:
        batch_op.create_index('ix_queue_department_day', ['department_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_queue_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_queue_practitioner_id'), ['practitioner_id'], unique=False)

    op.create_table('queue_event',
    sa.Column('queue_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('created_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['queue_id'], ['queue.id'], name=op.f('fk_queue_event_queue_id_queue')),
    sa.PrimaryKeyConstraint('queue_id', 'seq', name=op.f('pk_queue_event'))
    )
    op.create_table('queue_entry',
    sa.Column('queue_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('appointment_id', sa.String(length=36), nullable=True),
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=True),
    sa.Column('masked_name', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('elderly', sa.Boolean(), nullable=False),
    sa.Column('rank', sa.Float(), nullable=False),
    sa.Column('slot_start_at', yihu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('checked_in_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('called_at', yihu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', yihu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.Column('passes', sa.Integer(), nullable=False),
    sa.Column('near_notified_at', yihu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.CheckConstraint('number > 0', name=op.f('ck_queue_entry_number_positive')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_queue_entry_account_id_account')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_queue_entry_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_queue_entry_patient_id_patient')),
    sa.ForeignKeyConstraint(['queue_id'], ['queue.id'], name=op.f('fk_queue_entry_queue_id_queue')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_entry')),
    sa.UniqueConstraint('appointment_id', name=op.f('uq_queue_entry_appointment_id')),
    sa.UniqueConstraint('queue_id', 'number', name=op.f('uq_queue_entry_queue_id_number'))
    )
    with op.batch_alter_table('queue_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_entry_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_queue_entry_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index('ix_queue_entry_queue_status', ['queue_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('queue_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_queue_entry_queue_status')
        batch_op.drop_index(batch_op.f('ix_queue_entry_patient_id'))
        batch_op.drop_index(batch_op.f('ix_queue_entry_account_id'))

    op.drop_table('queue_entry')
    op.drop_table('queue_event')
    with op.batch_alter_table('queue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_practitioner_id'))
        batch_op.drop_index(batch_op.f('ix_queue_institution_id'))
        batch_op.drop_index('ix_queue_department_day')

    op.drop_table('queue')
