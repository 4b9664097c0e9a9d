"""wish claims wait for the community staff; releases kept

A claim of a 微心愿 now has a state: pending (waiting for the community's secretary or grid
worker), accepted, refused or released. Ended claims stay as the wish's history, so the one
live claim per member and wish becomes a partial unique index, and a member's releases in the
last 7 days are counted from the rows. Claims made before this revision were already shown the
household: they become accepted.

Revision ID: b6f2f0d26830
Revises: a504cc4093f3
Create Date: 2026-12-01 21:31:54.126024

"""
from alembic import op
import sqlalchemy as sa

import volunteer.core.types


# revision identifiers, used by Alembic.
revision = 'b6f2f0d26830'
down_revision = 'a504cc4093f3'
branch_labels = None
depends_on = None

LIVE = sa.text("state IN ('pending', 'accepted')")


def upgrade():
    with op.batch_alter_table('wish_claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=10), nullable=False,
                                      server_default='accepted'))
        batch_op.add_column(sa.Column('decided_at', volunteer.core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ended_at', volunteer.core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('end_reason', sa.Text(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_wish_claims_wish_id_member_id'), type_='unique')
        batch_op.create_index('ix_wish_claims_member_state_ended', ['member_id', 'state', 'ended_at'], unique=False)
        batch_op.create_index('ix_wish_claims_wish_id', ['wish_id'], unique=False)
        batch_op.create_index('uq_wish_claims_live_wish_member', ['wish_id', 'member_id'], unique=True,
                              sqlite_where=LIVE, postgresql_where=LIVE)
        batch_op.create_foreign_key(batch_op.f('fk_wish_claims_decided_by_id_users'), 'users', ['decided_by_id'], ['id'])
        batch_op.create_check_constraint(
            batch_op.f('ck_wish_claims_state'),
            "state IN ('pending', 'accepted', 'refused', 'released')")
    op.execute("UPDATE wish_claims SET decided_at = created_at")
    # new claims start pending: the model sets the state, the database keeps no default
    with op.batch_alter_table('wish_claims', schema=None) as batch_op:
        batch_op.alter_column('state', server_default=None)


def downgrade():
    # only live claims existed before: the history of ended ones is dropped
    op.execute("DELETE FROM wish_claims WHERE state NOT IN ('pending', 'accepted')")
    with op.batch_alter_table('wish_claims', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_wish_claims_state'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_wish_claims_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_index('uq_wish_claims_live_wish_member', sqlite_where=LIVE, postgresql_where=LIVE)
        batch_op.drop_index('ix_wish_claims_wish_id')
        batch_op.drop_index('ix_wish_claims_member_state_ended')
        batch_op.create_unique_constraint(batch_op.f('uq_wish_claims_wish_id_member_id'), ['wish_id', 'member_id'])
        batch_op.drop_column('end_reason')
        batch_op.drop_column('ended_at')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('state')
