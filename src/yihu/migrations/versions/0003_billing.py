"""billing: bills, payments, refunds, admissions and the sandbox provider's books

Revision ID: 0003_billing
Revises: 0002
Create Date: 2026-11-23 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

import yihu.db

revision = '0003_billing'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sandbox_notification',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('deliveries', sa.Integer(), nullable=False),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('created_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sandbox_notification'))
    )
    op.create_index(op.f('ix_sandbox_notification_status'), 'sandbox_notification', ['status'], unique=False)
    op.create_table('sandbox_order',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('merchant_reference', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('insurance_fen', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('transaction_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('paid_at', yihu.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_sandbox_order_amount_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sandbox_order')),
    sa.UniqueConstraint('merchant_reference', name=op.f('uq_sandbox_order_merchant_reference')),
    sa.UniqueConstraint('transaction_id', name=op.f('uq_sandbox_order_transaction_id'))
    )
    op.create_index(op.f('ix_sandbox_order_paid_at'), 'sandbox_order', ['paid_at'], unique=False)
    op.create_table('sandbox_refund',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('out_refund_no', sa.String(length=64), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('refunded_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_sandbox_refund_amount_positive')),
    sa.ForeignKeyConstraint(['order_id'], ['sandbox_order.id'], name=op.f('fk_sandbox_refund_order_id_sandbox_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sandbox_refund')),
    sa.UniqueConstraint('out_refund_no', name=op.f('uq_sandbox_refund_out_refund_no'))
    )
    op.create_index(op.f('ix_sandbox_refund_order_id'), 'sandbox_refund', ['order_id'], unique=False)
    op.create_index(op.f('ix_sandbox_refund_refunded_at'), 'sandbox_refund', ['refunded_at'], unique=False)
    op.create_table('admission',
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('institution_id', sa.String(length=36), nullable=False),
    sa.Column('department_id', sa.String(length=36), nullable=True),
    sa.Column('ward', sa.String(length=64), nullable=False),
    sa.Column('bed', sa.String(length=16), nullable=False),
    sa.Column('admitted_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('discharged_at', yihu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('discharged_at IS NULL OR discharged_at >= admitted_at', name=op.f('ck_admission_discharge_after_admission')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_admission_department_id_department')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_admission_institution_id_institution')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_admission_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admission'))
    )
    op.create_index(op.f('ix_admission_institution_id'), 'admission', ['institution_id'], unique=False)
    op.create_index(op.f('ix_admission_patient_id'), 'admission', ['patient_id'], unique=False)
    op.create_table('admission_charge',
    sa.Column('admission_id', sa.String(length=36), nullable=False),
    sa.Column('item', sa.String(length=128), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_fen', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('charged_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.CheckConstraint('amount_fen = quantity * unit_fen', name=op.f('ck_admission_charge_amount_is_product')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_admission_charge_quantity_positive')),
    sa.CheckConstraint('unit_fen > 0', name=op.f('ck_admission_charge_unit_positive')),
    sa.ForeignKeyConstraint(['admission_id'], ['admission.id'], name=op.f('fk_admission_charge_admission_id_admission')),
    sa.ForeignKeyConstraint(['recorded_by'], ['account.id'], name=op.f('fk_admission_charge_recorded_by_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admission_charge'))
    )
    op.create_index(op.f('ix_admission_charge_admission_id'), 'admission_charge', ['admission_id'], unique=False)
    op.create_table('bill',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('institution_id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=True),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('description', sa.String(length=128), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('paid_fen', sa.Integer(), nullable=False),
    sa.Column('refunded_fen', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('paid_at', yihu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', yihu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('registration', 'exam', 'outpatient', 'deposit', 'nursing')", name=op.f('ck_bill_kind_valid')),
    sa.CheckConstraint("status IN ('unpaid', 'paid', 'partially_refunded', 'refunded', 'cancelled')", name=op.f('ck_bill_status_valid')),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_bill_amount_positive')),
    sa.CheckConstraint('paid_fen = 0 OR paid_fen = amount_fen', name=op.f('ck_bill_paid_whole')),
    sa.CheckConstraint('refunded_fen >= 0 AND refunded_fen <= paid_fen', name=op.f('ck_bill_refund_within_paid')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_bill_account_id_account')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_bill_institution_id_institution')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_bill_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bill'))
    )
    op.create_index(op.f('ix_bill_institution_id'), 'bill', ['institution_id'], unique=False)
    op.create_index('ix_bill_patient_status', 'bill', ['patient_id', 'status'], unique=False)
    op.create_index(op.f('ix_bill_reference'), 'bill', ['reference'], unique=False)
    op.create_index('uq_bill_reference_once', 'bill', ['reference'], unique=True, sqlite_where=sa.text("kind <> 'deposit'"), postgresql_where=sa.text("kind <> 'deposit'"))
    op.create_table('payment',
    sa.Column('bill_id', sa.String(length=36), nullable=False),
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('institution_id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('card_id', sa.String(length=36), nullable=True),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('insurance_fen', sa.Integer(), nullable=False),
    sa.Column('self_fen', sa.Integer(), nullable=False),
    sa.Column('provider_payment_id', sa.String(length=64), nullable=False),
    sa.Column('provider_txn_id', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('refund_reserved_fen', sa.Integer(), nullable=False),
    sa.Column('refunded_fen', sa.Integer(), nullable=False),
    sa.Column('created_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('paid_at', yihu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', yihu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.CheckConstraint("status IN ('created', 'paid', 'failed', 'closed')", name=op.f('ck_payment_status_valid')),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_payment_amount_positive')),
    sa.CheckConstraint('insurance_fen >= 0 AND self_fen >= 0 AND insurance_fen + self_fen = amount_fen', name=op.f('ck_payment_split_sums')),
    sa.CheckConstraint('refunded_fen >= 0 AND refunded_fen <= refund_reserved_fen AND refund_reserved_fen <= amount_fen', name=op.f('ck_payment_refund_within_amount')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_payment_account_id_account')),
    sa.ForeignKeyConstraint(['bill_id'], ['bill.id'], name=op.f('fk_payment_bill_id_bill')),
    sa.ForeignKeyConstraint(['card_id'], ['card.id'], name=op.f('fk_payment_card_id_card')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_payment_institution_id_institution')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_payment_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment')),
    sa.UniqueConstraint('provider_payment_id', name=op.f('uq_payment_provider_payment_id')),
    sa.UniqueConstraint('provider_txn_id', name=op.f('uq_payment_provider_txn_id'))
    )
    op.create_index(op.f('ix_payment_bill_id'), 'payment', ['bill_id'], unique=False)
    op.create_index(op.f('ix_payment_institution_id'), 'payment', ['institution_id'], unique=False)
    op.create_index('ix_payment_provider_paid_at', 'payment', ['provider', 'paid_at'], unique=False)
    op.create_table('refund',
    sa.Column('payment_id', sa.String(length=36), nullable=False),
    sa.Column('bill_id', sa.String(length=36), nullable=False),
    sa.Column('request_id', sa.String(length=80), nullable=False),
    sa.Column('provider_refund_id', sa.String(length=64), nullable=True),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('insurance_fen', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_by', sa.String(length=36), nullable=True),
    sa.Column('created_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('succeeded_at', yihu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.CheckConstraint("status IN ('requested', 'succeeded', 'failed')", name=op.f('ck_refund_status_valid')),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_refund_amount_positive')),
    sa.CheckConstraint('insurance_fen >= 0 AND insurance_fen <= amount_fen', name=op.f('ck_refund_insurance_within')),
    sa.ForeignKeyConstraint(['bill_id'], ['bill.id'], name=op.f('fk_refund_bill_id_bill')),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_refund_payment_id_payment')),
    sa.ForeignKeyConstraint(['requested_by'], ['account.id'], name=op.f('fk_refund_requested_by_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refund')),
    sa.UniqueConstraint('payment_id', 'request_id', name=op.f('uq_refund_payment_id_request_id')),
    sa.UniqueConstraint('provider_refund_id', name=op.f('uq_refund_provider_refund_id'))
    )
    op.create_index(op.f('ix_refund_bill_id'), 'refund', ['bill_id'], unique=False)
    op.create_index(op.f('ix_refund_payment_id'), 'refund', ['payment_id'], unique=False)


def downgrade() -> None:
    op.drop_table('refund')
    op.drop_table('payment')
    op.drop_table('bill')
    op.drop_table('admission_charge')
    op.drop_table('admission')
    op.drop_table('sandbox_refund')
    op.drop_table('sandbox_order')
    op.drop_table('sandbox_notification')
