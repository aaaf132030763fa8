"""reports: versioned lab and imaging reports with their results; never deleted

Revision ID: 0005_reports
Revises: 0002
Create Date: 2026-11-22 22:50:00
"""
import sqlalchemy as sa
from alembic import op

import yihu.db

revision = '0005_reports'
down_revision = '0002'
branch_labels = None
depends_on = None

# Columns a report version may change after publication: being superseded, being marked entered-in-error.
_MUTABLE = ("current_of", "superseded_by_id", "superseded_at", "status", "error_reason", "error_at",
            "error_by_account_id", "updated_at")
_REPORT_COLUMNS = ("lineage_id", "version", "replaces_id", "institution_id", "patient_id", "appointment_id",
                   "author_account_id", "kind", "code_system", "code", "title", "modality", "body_site",
                   "conclusion", "abnormal_count", "effective_at", "published_at", "amend_reason", "id",
                   "created_at")

KEEP_SQLITE = (
    "CREATE TRIGGER report_no_delete BEFORE DELETE ON report "
    "BEGIN SELECT RAISE(ABORT, 'reports are never deleted'); END",
    "CREATE TRIGGER report_content_fixed BEFORE UPDATE ON report WHEN "
    + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _REPORT_COLUMNS)
    + " OR (NEW.status IS NOT OLD.status AND NEW.status <> 'entered-in-error')"
    + " OR OLD.status = 'entered-in-error' AND (NEW.status IS NOT OLD.status OR NEW.error_reason IS NOT OLD.error_reason)"
    + " BEGIN SELECT RAISE(ABORT, 'a published report is amended, not changed'); END",
    "CREATE TRIGGER report_observation_no_delete BEFORE DELETE ON report_observation "
    "BEGIN SELECT RAISE(ABORT, 'reports are never deleted'); END",
    "CREATE TRIGGER report_observation_no_update BEFORE UPDATE ON report_observation "
    "BEGIN SELECT RAISE(ABORT, 'a published result never changes'); END",
)
_MINUS = " - ".join(f"'{c}'" for c in _MUTABLE)
KEEP_POSTGRES = (
    "CREATE FUNCTION report_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'reports are never deleted'; END IF; "
    f"IF (to_jsonb(NEW) - {_MINUS}) <> (to_jsonb(OLD) - {_MINUS}) "
    "OR (NEW.status IS DISTINCT FROM OLD.status AND NEW.status <> 'entered-in-error') "
    "OR (OLD.status = 'entered-in-error' AND (NEW.status IS DISTINCT FROM OLD.status "
    "OR NEW.error_reason IS DISTINCT FROM OLD.error_reason)) "
    "THEN RAISE EXCEPTION 'a published report is amended, not changed'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER report_keep BEFORE UPDATE OR DELETE ON report FOR EACH ROW EXECUTE FUNCTION report_keep()",
    "CREATE FUNCTION report_observation_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'a published result never changes'; END $$",
    "CREATE TRIGGER report_observation_keep BEFORE UPDATE OR DELETE ON report_observation "
    "FOR EACH ROW EXECUTE FUNCTION report_observation_keep()",
)


def upgrade() -> None:
    op.create_table('report',
    sa.Column('lineage_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('current_of', sa.String(length=36), nullable=True),
    sa.Column('replaces_id', sa.String(length=36), nullable=True),
    sa.Column('superseded_by_id', sa.String(length=36), nullable=True),
    sa.Column('superseded_at', yihu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('institution_id', sa.String(length=36), nullable=False),
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('appointment_id', sa.String(length=36), nullable=True),
    sa.Column('author_account_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('code_system', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=128), nullable=False),
    sa.Column('modality', sa.String(length=8), nullable=True),
    sa.Column('body_site', sa.String(length=64), nullable=True),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('abnormal_count', sa.Integer(), nullable=False),
    sa.Column('effective_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('amend_reason', sa.String(length=256), nullable=True),
    sa.Column('error_reason', sa.String(length=256), nullable=True),
    sa.Column('error_at', yihu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error_by_account_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', yihu.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('lab', 'imaging')", name=op.f('ck_report_kind_known')),
    sa.CheckConstraint("status IN ('final', 'amended', 'entered-in-error')", name=op.f('ck_report_status_known')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_report_version_positive')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_report_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['author_account_id'], ['account.id'], name=op.f('fk_report_author_account_id_account')),
    sa.ForeignKeyConstraint(['error_by_account_id'], ['account.id'], name=op.f('fk_report_error_by_account_id_account')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_report_institution_id_institution')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_report_patient_id_patient')),
    sa.ForeignKeyConstraint(['replaces_id'], ['report.id'], name=op.f('fk_report_replaces_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report')),
    sa.UniqueConstraint('current_of', name=op.f('uq_report_current_of')),
    sa.UniqueConstraint('lineage_id', 'version', name=op.f('uq_report_lineage_id_version'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index('ix_report_institution_published', ['institution_id', 'published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_lineage_id'), ['lineage_id'], unique=False)
        batch_op.create_index('ix_report_patient_published', ['patient_id', 'published_at'], unique=False)

    op.create_table('report_observation',
    sa.Column('report_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('code_system', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('display', sa.String(length=128), nullable=False),
    sa.Column('value_num', sa.String(length=32), nullable=True),
    sa.Column('unit', sa.String(length=32), nullable=False),
    sa.Column('value_text', sa.String(length=256), nullable=True),
    sa.Column('low', sa.String(length=32), nullable=True),
    sa.Column('high', sa.String(length=32), nullable=True),
    sa.Column('reference_text', sa.String(length=64), nullable=True),
    sa.Column('flag', sa.String(length=1), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.CheckConstraint("flag IS NULL OR flag IN ('H', 'L', 'N', 'A')", name=op.f('ck_report_observation_flag_known')),
    sa.CheckConstraint('(value_num IS NULL) <> (value_text IS NULL)', name=op.f('ck_report_observation_one_value')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_observation_report_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_observation')),
    sa.UniqueConstraint('report_id', 'seq', name=op.f('uq_report_observation_report_id_seq'))
    )
    with op.batch_alter_table('report_observation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_observation_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_observation_report_id'), ['report_id'], unique=False)


    for stmt in KEEP_SQLITE if op.get_bind().dialect.name == "sqlite" else KEEP_POSTGRES:
        op.execute(stmt)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("report_no_delete", "report_content_fixed", "report_observation_no_delete",
                     "report_observation_no_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS report_keep ON report")
        op.execute("DROP TRIGGER IF EXISTS report_observation_keep ON report_observation")
        op.execute("DROP FUNCTION IF EXISTS report_keep()")
        op.execute("DROP FUNCTION IF EXISTS report_observation_keep()")
    with op.batch_alter_table('report_observation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_observation_report_id'))
        batch_op.drop_index(batch_op.f('ix_report_observation_code'))
    op.drop_table('report_observation')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index('ix_report_patient_published')
        batch_op.drop_index(batch_op.f('ix_report_lineage_id'))
        batch_op.drop_index('ix_report_institution_published')
        batch_op.drop_index(batch_op.f('ix_report_appointment_id'))
    op.drop_table('report')
