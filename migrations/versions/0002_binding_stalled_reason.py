"""operation_bindings.stalled_reason: why an operation has no eligible service (its campaigns pause with it)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 17:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('operation_bindings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stalled_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('operation_bindings', schema=None) as batch_op:
        batch_op.drop_column('stalled_reason')
