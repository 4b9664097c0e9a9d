"""report run requests

Runs of a report asked for from /admin/reports, queued for the scheduler process; at most one
waiting or running per (kind, period) (a partial unique index).

Revision ID: 8b36cf9fe16a
Revises: c7ec18a88db2
Create Date: 2026-12-02 00:41:34.776402

"""
from alembic import op
import sqlalchemy as sa

import volunteer.core.types


# revision identifiers, used by Alembic.
revision = '8b36cf9fe16a'
down_revision = 'c7ec18a88db2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('period', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', volunteer.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', volunteer.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', volunteer.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=80), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('new_deliveries', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_report_requests_status')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_report_requests_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['report_runs.id'], name=op.f('fk_report_requests_run_id_report_runs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_requests'))
    )
    with op.batch_alter_table('report_requests', schema=None) as batch_op:
        batch_op.create_index('ix_report_requests_status', ['status', 'id'], unique=False)
        batch_op.create_index('ix_report_requests_waiting', ['kind', 'period'], unique=True, postgresql_where=sa.text("status IN ('queued', 'running')"), sqlite_where=sa.text("status IN ('queued', 'running')"))



def downgrade():
    with op.batch_alter_table('report_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_report_requests_waiting')
        batch_op.drop_index('ix_report_requests_status')

    op.drop_table('report_requests')
