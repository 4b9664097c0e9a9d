"""password resets

Accounts a person can recover: ``users.must_change_password`` (a staff or CLI reset's
temporary password must be changed at the next login) and ``password_reset_codes`` (the
forgotten-password codes, kept as keyed hashes).

Revision ID: c7ec18a88db2
Revises: 58f525bc12e5
Create Date: 2026-12-02 00:37:31.376258

"""
from alembic import op
import sqlalchemy as sa

import volunteer.core.types


# revision identifiers, used by Alembic.
revision = 'c7ec18a88db2'
down_revision = '58f525bc12e5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_reset_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', volunteer.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', volunteer.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', volunteer.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_reset_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_codes'))
    )
    with op.batch_alter_table('password_reset_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_codes_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')

    with op.batch_alter_table('password_reset_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_codes_user_id'))

    op.drop_table('password_reset_codes')
