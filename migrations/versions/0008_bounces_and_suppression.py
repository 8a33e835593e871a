"""Bounces and the suppression list (issue 15)

- bounce_mailboxes: the IMAP mailbox(es) the bounces land in (per operation or shared), password encrypted,
  the optional envelope sender, and the unreachable episode (one alert per episode).
- suppressions: addresses never sent to again (lower-case, unique), with reason, source and origin.
- bounce_events: each bounce read, per address (reading twice changes nothing; soft bounces are counted).
- campaigns.emails_bounced / emails_suppressed; deliveries.bounce_reason / bounced_at / soft_bounces, and an
  index on deliveries.message_id (bounces are matched by the original Message-ID).

Revision ID: 0008
Revises: 0009
Create Date: 2026-11-30 22:25:51.779700

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bounce_mailboxes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=True),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('port', sa.Integer(), nullable=False),
    sa.Column('security', sa.String(length=10), nullable=False),
    sa.Column('username', sa.String(length=255), nullable=False),
    sa.Column('password_encrypted', sa.Text(), nullable=True),
    sa.Column('folder', sa.String(length=255), nullable=False),
    sa.Column('envelope_sender', sa.String(length=254), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('unreachable_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unreachable_reason', sa.Text(), nullable=True),
    sa.Column('polled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['operation_id'], ['operations.id'], name=op.f('fk_bounce_mailboxes_operation_id_operations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bounce_mailboxes')),
    sa.UniqueConstraint('operation_id', name=op.f('uq_bounce_mailboxes_operation_id'))
    )
    op.create_table('bounce_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_key', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['deliveries.id'], name=op.f('fk_bounce_events_delivery_id_deliveries'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bounce_events')),
    sa.UniqueConstraint('message_key', 'email', name=op.f('uq_bounce_events_message_key'))
    )
    with op.batch_alter_table('bounce_events', schema=None) as batch_op:
        batch_op.create_index('ix_bounce_events_email_at', ['email', 'received_at'], unique=False)

    op.create_table('suppressions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_suppressions_campaign_id_campaigns'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['delivery_id'], ['deliveries.id'], name=op.f('fk_suppressions_delivery_id_deliveries'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suppressions')),
    sa.UniqueConstraint('email', name=op.f('uq_suppressions_email'))
    )
    with op.batch_alter_table('suppressions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suppressions_since'), ['since'], unique=False)

    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('emails_bounced', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('emails_suppressed', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bounce_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('bounced_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('soft_bounces', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index(batch_op.f('ix_deliveries_message_id'), ['message_id'], unique=False)



def downgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliveries_message_id'))
        batch_op.drop_column('soft_bounces')
        batch_op.drop_column('bounced_at')
        batch_op.drop_column('bounce_reason')

    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('emails_suppressed')
        batch_op.drop_column('emails_bounced')

    with op.batch_alter_table('suppressions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suppressions_since'))

    op.drop_table('suppressions')
    with op.batch_alter_table('bounce_events', schema=None) as batch_op:
        batch_op.drop_index('ix_bounce_events_email_at')

    op.drop_table('bounce_events')
    op.drop_table('bounce_mailboxes')
