"""The bank of a boleto, from the first three digits of its line: code with check digit, and a name when known.

The check digit is modulo 11 of the three digits (weights 2, 3, 4 from the right), as banks print it
beside their code ("001-9", "237-2"). Where a bank's printed digit is not what that rule gives for a
remainder of 1 (Caixa prints 104-0, Sicredi 748-X) the table below says so.
"""
from __future__ import annotations

# COMPE code -> (name as printed on the ficha, the printed check digit when the rule is ambiguous)
KNOWN_BANKS: dict[str, tuple[str, str | None]] = {
    "001": ("Banco do Brasil", None),
    "004": ("Banco do Nordeste", None),
    "021": ("Banestes", None),
    "033": ("Santander", None),
    "041": ("Banrisul", None),
    "070": ("BRB", None),
    "077": ("Banco Inter", None),
    "104": ("Caixa", "0"),
    "208": ("BTG Pactual", None),
    "237": ("Bradesco", None),
    "260": ("Nu Pagamentos", None),
    "336": ("C6 Bank", None),
    "341": ("Itaú", None),
    "422": ("Safra", None),
    "745": ("Citibank", None),
    "748": ("Sicredi", "X"),
    "756": ("Sicoob", None),
}

# Segments of a collection (48-digit) slip: its second digit (FEBRABAN "arrecadação" layout).
COLLECTION_SEGMENTS = {
    "1": "Prefeituras",
    "2": "Saneamento",
    "3": "Energia elétrica e gás",
    "4": "Telecomunicações",
    "5": "Órgãos governamentais",
    "6": "Carnês e assemelhados",
    "7": "Multas de trânsito",
    "9": "Uso exclusivo do banco",
}


def bank_check_digit(code: str) -> str:
    """Modulo 11 of a 3-digit bank code: a remainder of 0 gives 0, of 1 gives X (unless the bank prints 0)."""
    known = KNOWN_BANKS.get(code)
    if known and known[1] is not None:
        return known[1]
    rest = sum(int(d) * w for d, w in zip(reversed(code), (2, 3, 4))) % 11
    if rest == 0:
        return "0"
    if rest == 1:
        return "X"
    return str(11 - rest)


def bank_code(line_digits: str) -> str:
    """'001-9' for a line starting with 001; blank when the line is not a bank line."""
    if len(line_digits) != 47:
        return ""
    code = line_digits[:3]
    return f"{code}-{bank_check_digit(code)}"


def bank_name(line_digits: str) -> str:
    """The bank's name when the table knows it, else blank (never guessed)."""
    if len(line_digits) != 47:
        return ""
    known = KNOWN_BANKS.get(line_digits[:3])
    return known[0] if known else ""


def collection_segment(line_digits: str) -> str:
    if len(line_digits) != 48:
        return ""
    return COLLECTION_SEGMENTS.get(line_digits[1], "")
