"""Boletos to draw: a bank (47-digit) and a collection (48-digit) line, every print field, a PIX payload."""
from datetime import date
from decimal import Decimal

from app.boletos.lines import build_bank_line, build_collection_barcode, collection_barcode_to_line
from app.boletos.pdf import BoletoPrint
from app.providers.sandbox import pix_payload

AMOUNT = Decimal("1234.56")
DUE = date(2026, 12, 7)
BANK_LINE = build_bank_line("237", AMOUNT, DUE, "1234567890123456789012345")
COLLECTION_LINE = collection_barcode_to_line(build_collection_barcode("4", "6", AMOUNT, "0123" + "9" * 25))
PIX = pix_payload("BL-000123-01", AMOUNT)
FULL = dict(
    client_name="MARIA DA CONCEIÇÃO", client_cpf="12345678909", nosso_numero="14000000012345678",
    document_number="AC000123-01", document_date=date(2026, 11, 20),
    instructions="Não receber após 30 dias do vencimento.\nMulta de 2% após o vencimento.",
    beneficiary_name="OPERADORA EXEMPLO S.A.", beneficiary_cnpj="11222333000181",
    beneficiary_agency_code="1234-5 / 0012345-6", beneficiary_address="Av. Exemplo, 100 - São Paulo/SP",
)


def boleto(line: str = BANK_LINE, pix: str | None = None, **fields) -> BoletoPrint:
    """Only what the contract requires, plus `fields`."""
    return BoletoPrint("Claro", "AC-000123", 2, 6, AMOUNT, DUE, line, pix=pix, **fields)
