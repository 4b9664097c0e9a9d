"""scheduler heartbeat

One row per scheduler name, rewritten every minute; /readyz reports its age.

Revision ID: 58f525bc12e5
Revises: caae4a9d64f9
Create Date: 2026-12-02 00:53:38.973215

"""
from alembic import op
import sqlalchemy as sa

import volunteer.core.types


# revision identifiers, used by Alembic.
revision = '58f525bc12e5'
down_revision = 'caae4a9d64f9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scheduler_heartbeats',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('beat_at', volunteer.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_heartbeats'))
    )


def downgrade():
    op.drop_table('scheduler_heartbeats')
