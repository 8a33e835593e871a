"""Branding per operation: display name, logo, colour, customer service, legal name and CNPJ, Reply-To

All columns are nullable: an operation without them sends the email with its name only.
Campaign types still holding the previous default email (subject and bodies as seeded) are blanked, which
means "the default" (app/mailer/templates.py): they get the new branded email. Edited templates are kept.

Revision ID: 0009
Revises: 0004
Create Date: 2026-11-30 22:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0004'
branch_labels = None
depends_on = None

OLD_DEFAULT_SUBJECT = "{{ operacao }}: seu boleto vence em {{ primeiro_vencimento }}"


def upgrade():
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('display_name', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('logo', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('logo_mime', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('brand_color', sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column('service_phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('service_site', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('service_hours', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('legal_name', sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column('cnpj', sa.String(length=14), nullable=True))
        batch_op.add_column(sa.Column('reply_to', sa.String(length=254), nullable=True))
    # The seeded default subject becomes "the default" (blank); its bodies go with it only when the subject
    # was never edited either (the old default bodies start with these exact lines).
    campaign_types = sa.table('campaign_types', sa.column('subject_template', sa.Text),
                              sa.column('body_html_template', sa.Text), sa.column('body_text_template', sa.Text))
    op.execute(campaign_types.update()
               .where(campaign_types.c.subject_template == OLD_DEFAULT_SUBJECT)
               .where(campaign_types.c.body_html_template.like('<p>Olá{% if nome %}, {{ nome }}{% endif %}!</p>%'))
               .where(campaign_types.c.body_text_template.like('Olá{% if nome %}, {{ nome }}{% endif %}!%'))
               .values(subject_template='', body_html_template='', body_text_template=''))


def downgrade():
    with op.batch_alter_table('operations', schema=None) as batch_op:
        for column in ('reply_to', 'cnpj', 'legal_name', 'service_hours', 'service_site', 'service_phone',
                       'brand_color', 'logo_mime', 'logo', 'display_name'):
            batch_op.drop_column(column)
