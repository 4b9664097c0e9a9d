"""hours stay where they were earned

A claim records where its service was earned: the member's street, community, grid, unit and
branch on the service date (claims.member_street_id …). The summaries service_days,
service_months and member_periods carry the same five columns as part of their key (0 for none),
so a member who moves has a row per place and a move never rewrites past rows (0, the
columns' default, for none). member_moves keeps where a member was, and their status, before
each change, so the group tables of past periods count them there. Existing claims
and summary rows are placed where their members are now (the best the data knows).

Revision ID: 1a6fd5836625
Revises: 8b36cf9fe16a
Create Date: 2026-12-02 00:37:06.090461

"""
from alembic import op
import sqlalchemy as sa

import volunteer.core.types


# revision identifiers, used by Alembic.
revision = '1a6fd5836625'
down_revision = '8b36cf9fe16a'
branch_labels = None
depends_on = None

PLACES = ('street_id', 'community_id', 'grid_id', 'unit_id', 'branch_id')
KEYS = {'service_days': ('day', 'member_id', 'category'),
        'service_months': ('month', 'member_id', 'category'),
        'member_periods': ('period', 'member_id')}


def _from_member(column, table, default):
    """SQL reading a member's current organisation for a row of ``table``."""
    value = f'(SELECT users.{column} FROM users WHERE users.id = {table}.member_id)'
    return f'COALESCE({value}, {default})' if default is not None else value


def upgrade():
    op.create_table('member_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('moved_at', volunteer.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('street_id', sa.Integer(), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('branch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['users.id'], name=op.f('fk_member_moves_member_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_moves'))
    )
    with op.batch_alter_table('member_moves', schema=None) as batch_op:
        batch_op.create_index('ix_member_moves_member', ['member_id', 'moved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_moves_moved_at'), ['moved_at'], unique=False)

    with op.batch_alter_table('claims', schema=None) as batch_op:
        for name in PLACES:
            batch_op.add_column(sa.Column(f'member_{name}', sa.Integer(), nullable=True))
    op.execute('UPDATE claims SET ' + ', '.join(
        f'member_{name} = {_from_member(name, "claims", None)}' for name in PLACES)
        + ' WHERE confirmed_at IS NOT NULL')

    for table in ('service_days', 'service_months'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in PLACES:
                batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False,
                                              server_default='0'))
    for table in KEYS:
        op.execute(f'UPDATE {table} SET ' + ', '.join(
            f'{name} = {_from_member(name, table, 0)}' for name in PLACES))
    for table, keys in KEYS.items():
        with op.batch_alter_table(table, schema=None, recreate='always') as batch_op:
            for name in PLACES:
                batch_op.alter_column(name, existing_type=sa.Integer(), nullable=False,
                                      server_default='0')
            batch_op.drop_constraint(f'pk_{table}', type_='primary')
            batch_op.create_primary_key(f'pk_{table}', [*keys, *PLACES])


def downgrade():
    # a member's rows of several places are added up into one, placed where the member is now
    for table, keys in KEYS.items():
        sums = ('services', 'minutes', 'quality_sum', 'quality_n', 'satisfaction_sum',
                'satisfaction_n')
        columns = ', '.join((*keys, *sums))
        op.execute(f'CREATE TABLE {table}_merged AS SELECT {", ".join(keys)}, '
                   + ', '.join(f'SUM({name}) AS {name}' for name in sums)
                   + f' FROM {table} GROUP BY {", ".join(keys)}')
        op.execute(f'DELETE FROM {table}')
        with op.batch_alter_table(table, schema=None, recreate='always') as batch_op:
            batch_op.drop_constraint(f'pk_{table}', type_='primary')
            batch_op.create_primary_key(f'pk_{table}', list(keys))
            if table == 'member_periods':
                for name in PLACES:
                    batch_op.alter_column(name, existing_type=sa.Integer(), nullable=True)
            else:
                for name in reversed(PLACES):
                    batch_op.drop_column(name)
        op.execute(f'INSERT INTO {table} ({columns}) SELECT {columns} FROM {table}_merged')
        op.execute(f'DROP TABLE {table}_merged')
        if table == 'member_periods':
            op.execute('UPDATE member_periods SET ' + ', '.join(
                f'{name} = {_from_member(name, table, None)}' for name in PLACES))
    with op.batch_alter_table('claims', schema=None) as batch_op:
        for name in reversed(PLACES):
            batch_op.drop_column(f'member_{name}')
    with op.batch_alter_table('member_moves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_moves_moved_at'))
        batch_op.drop_index('ix_member_moves_member')
    op.drop_table('member_moves')
