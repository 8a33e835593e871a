"""Boleto print fields: the creditor's optional nosso número, documento, instruções and beneficiário

- boletos.nosso_numero, document_number, document_date, instructions (one per line),
  beneficiary_name, beneficiary_cnpj (14 characters, compact), beneficiary_agency_code,
  beneficiary_address: printed on the drawn boleto as given (docs/provider-api.md); NULL when the
  creditor sent none, so the page leaves the box blank.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 22:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

COLUMNS = (
    ('nosso_numero', sa.String(length=40)),
    ('document_number', sa.String(length=40)),
    ('document_date', sa.Date()),
    ('instructions', sa.Text()),
    ('beneficiary_name', sa.String(length=200)),
    ('beneficiary_cnpj', sa.String(length=14)),
    ('beneficiary_agency_code', sa.String(length=60)),
    ('beneficiary_address', sa.String(length=300)),
)


def upgrade():
    with op.batch_alter_table('boletos', schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade():
    with op.batch_alter_table('boletos', schema=None) as batch_op:
        for name, _type in reversed(COLUMNS):
            batch_op.drop_column(name)
