"""Security hardening: session generations, login locks per (e-mail, address), token expiry, delivery notes

- users.session_generation: part of the session cookie's id; bumping it ends every session of the user.
- users.failed_logins / users.locked_until give way to login_locks, keyed by (e-mail, client address),
  so a stranger's wrong guesses no longer lock the owner out.
- api_tokens.expires_at: optional expiry (`flask users token --days`).
- deliveries.note: what happened beside the send (the creditor's PDF not fetched, and why).

Revision ID: 0003
Revises: 0007
Create Date: 2026-11-30 18:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_locks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_locks')),
    sa.UniqueConstraint('email', 'address', name=op.f('uq_login_locks_email'))
    )
    with op.batch_alter_table('login_locks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_locks_email'), ['email'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), nullable=False, server_default='0'))
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_generation', server_default=None)

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('note')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.drop_column('session_generation')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('failed_logins', server_default=None)

    with op.batch_alter_table('login_locks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_locks_email'))

    op.drop_table('login_locks')
