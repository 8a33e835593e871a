"""field reliability: service health, names kept in rotations, history that restricts deletion,
campaign content hash and stall watchdog

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-30 18:30:00

"""
from alembic import op
import sqlalchemy as sa



revision = '0005'
down_revision = '0002'
branch_labels = None
depends_on = None

# (table, column, referred table, ondelete before, ondelete now)
RESTRICTED = [
    ('deliveries', 'service_id', 'SET NULL'),
    ('rotations', 'from_service_id', 'SET NULL'),
    ('rotations', 'to_service_id', 'SET NULL'),
    ('alerts', 'service_id', 'SET NULL'),
    ('service_usage', 'service_id', 'CASCADE'),
]


def _fk(table, column):
    return f'fk_{table}_{column}_email_services'


def upgrade():
    with op.batch_alter_table('email_services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('connect_failures', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('failing_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('unreachable_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('unreachable_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('probed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('rotations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_service_name', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('to_service_name', sa.String(length=80), nullable=True))
    # Rotations recorded before keep the names their services have now.
    op.execute("UPDATE rotations SET from_service_name = (SELECT name FROM email_services "
               "WHERE email_services.id = rotations.from_service_id)")
    op.execute("UPDATE rotations SET to_service_name = (SELECT name FROM email_services "
               "WHERE email_services.id = rotations.to_service_id)")
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('progress_mark', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('progress_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('stalled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('stall_reason', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_campaigns_content_hash'), ['content_hash'], unique=False)
    for table, column, _before in RESTRICTED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(_fk(table, column), type_='foreignkey')
            batch_op.create_foreign_key(_fk(table, column), 'email_services', [column], ['id'], ondelete='RESTRICT')


def downgrade():
    for table, column, before in RESTRICTED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(_fk(table, column), type_='foreignkey')
            batch_op.create_foreign_key(_fk(table, column), 'email_services', [column], ['id'], ondelete=before)
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_content_hash'))
        for column in ('stall_reason', 'stalled_at', 'progress_at', 'progress_mark', 'content_hash'):
            batch_op.drop_column(column)
    with op.batch_alter_table('rotations', schema=None) as batch_op:
        batch_op.drop_column('to_service_name')
        batch_op.drop_column('from_service_name')
    with op.batch_alter_table('email_services', schema=None) as batch_op:
        for column in ('probed_at', 'unreachable_reason', 'unreachable_at', 'failing_since', 'connect_failures'):
            batch_op.drop_column(column)
