"""The optional fields a creditor may send for a boleto's printed form (docs/provider-api.md).

They travel under the same names from the contract's parser (ParcelaData) to the `boletos` table, the
message data (BoletoData) and the drawing (BoletoPrint); absent means blank on the page, never invented.
`instructions` is one text with a line per instruction.
"""
from __future__ import annotations

from stdnum.br import cnpj as _cnpj

DETAIL_FIELDS = (
    "nosso_numero",
    "document_number",
    "document_date",
    "instructions",
    "beneficiary_name",
    "beneficiary_cnpj",
    "beneficiary_agency_code",
    "beneficiary_address",
)

# Longest value of each text field accepted from a creditor (a longer one is refused, never cut:
# a truncated nosso número would be a different one).
LIMITS = {
    "nosso_numero": 40,
    "document_number": 40,
    "beneficiary_name": 200,
    "beneficiary_agency_code": 60,
    "beneficiary_address": 300,
}
MAX_INSTRUCTION_LINES = 10
MAX_INSTRUCTION_LENGTH = 200


def valid_cnpj(value: str) -> str | None:
    """The CNPJ compacted (14 characters: digits, or the alphanumeric format of July 2026), or None."""
    try:
        return _cnpj.validate(value)
    except Exception:  # stdnum raises its ValidationError subclasses, and others on odd input
        return None


def format_cnpj(value: str | None) -> str:
    """12.345.678/0001-95 (blank for None)."""
    if not value:
        return ""
    compact = valid_cnpj(value)
    return _cnpj.format(compact) if compact else value
