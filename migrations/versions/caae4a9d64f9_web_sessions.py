"""web sessions

One row per logged-in browser: the signed cookie carries its id; logout, "log out everywhere"
and idleness end it on the server.

Revision ID: caae4a9d64f9
Revises: b6f2f0d26830
Create Date: 2026-12-01 21:33:30.183066

"""
from alembic import op
import sqlalchemy as sa

import volunteer.core.types


# revision identifiers, used by Alembic.
revision = 'caae4a9d64f9'
down_revision = 'b6f2f0d26830'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('web_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', volunteer.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', volunteer.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', volunteer.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_web_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions'))
    )
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_sessions_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_sessions_user_id'))

    op.drop_table('web_sessions')
