"""SMTP sessions per service (max_connections), a per-minute cap (max_per_minute), and the operation's
policy when a relay throttles (rotate_when_throttled)

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-30 19:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('email_services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_connections', sa.Integer(), nullable=False, server_default='10'))
        batch_op.add_column(sa.Column('max_per_minute', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rotate_when_throttled', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.drop_column('rotate_when_throttled')
    with op.batch_alter_table('email_services', schema=None) as batch_op:
        batch_op.drop_column('max_per_minute')
        batch_op.drop_column('max_connections')
