"""Boleto line arithmetic (FEBRABAN): the 47-digit bank line and the 48-digit collection line.

Bank slip ("boleto bancário"), barcode of 44 digits:
    bank(3) currency(1) DV(1) due-factor(4) amount(10) free field(25)
line ("linha digitável") of 47 digits: three fields with a mod-10 digit each,
the barcode's general DV (mod 11), then factor + amount.

Collection slip ("arrecadação/convênio"), barcode of 44 digits starting with 8:
the third digit says which modulo checks it (6/7: mod 10, 8/9: mod 11); the
fourth digit is the general DV. The line is four blocks of 11 digits, each
followed by its own DV computed with the same modulo.

The due-date factor counts days from 1997-10-07; it reached 9999 on
2025-02-21 and restarted at 1000 on 2025-02-22 (FEBRABAN), so a factor names
two dates 9000 days apart and is read near a reference date.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

FACTOR_BASE = date(1997, 10, 7)
FACTOR_RESET = date(2025, 2, 22)  # factor 1000 again from this day
FACTOR_CYCLE = 9000  # factors 1000..9999


class LineError(ValueError):
    """A line or barcode that fails; `reason` is pt-BR for people, `code` a stable English key."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


# --- check digits -----------------------------------------------------------------

# Table-driven: collection runs these for every parcela of every client (hot path).
_DOUBLED = tuple((2 * d) // 10 + (2 * d) % 10 for d in range(10))
_MOD11_WEIGHTS = tuple(2 + i % 8 for i in range(64))  # 2..9, 2..9, ... from the right


def mod10(digits: str) -> int:
    """Weights 2,1,2,1... from the right; products' digits summed."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        total += _DOUBLED[d] if i % 2 == 0 else d
    return (10 - total % 10) % 10


def _mod11_sum(digits: str) -> int:
    return sum(map(int.__mul__, map(int, reversed(digits)), _MOD11_WEIGHTS))


def mod11_bank(digits: str) -> int:
    """The bank barcode's general DV: 0, 10 and 11 become 1."""
    dv = 11 - _mod11_sum(digits) % 11
    return 1 if dv in (0, 10, 11) else dv


def mod11_collection(digits: str) -> int:
    """Collection slips: remainders 0 and 1 give 0 (and 10 gives 1)."""
    dv = 11 - _mod11_sum(digits) % 11
    return 0 if dv in (10, 11) else dv


# --- due-date factor -----------------------------------------------------------------

def factor_for(due: date) -> str:
    """The 4-digit factor of a due date (from 2000-07-03 on)."""
    if due >= FACTOR_RESET:
        value = 1000 + (due - FACTOR_RESET).days % FACTOR_CYCLE
    else:
        value = (due - FACTOR_BASE).days
        if not 1000 <= value <= 9999:
            raise ValueError(f"due date {due} has no factor")
    return f"{value:04d}"


def date_for_factor(factor: str | int, reference: date | None = None) -> date | None:
    """The due date a factor names, the candidate closest to `reference` (default today). 0000: none."""
    value = int(factor)
    if value == 0:
        return None
    if value < 1000:
        raise ValueError(f"factor {value:04d} is not a date")
    reference = reference or date.today()
    first = FACTOR_BASE + timedelta(days=value)  # 1st cycle: 2000-07-03 .. 2025-02-21
    cycles = max(0, round((reference - first).days / FACTOR_CYCLE))
    return first + timedelta(days=FACTOR_CYCLE * cycles)


# --- parsing -----------------------------------------------------------------------

@dataclass(frozen=True)
class ParsedLine:
    kind: str  # "bank" | "collection"
    line: str
    barcode: str
    amount: Decimal | None  # None when the slip carries no amount
    due_date: date | None  # bank slips only; None when factor is 0000


_NON_DIGITS = re.compile(r"\D")


def only_digits(text: str | None) -> str:
    if not text:
        return ""
    return text if text.isdigit() and text.isascii() else _NON_DIGITS.sub("", text)


def parse_line(text: str, reference: date | None = None) -> ParsedLine:
    """Validate a bank (47) or collection (48) line; raises LineError with the reason."""
    line = only_digits(text)
    if len(line) == 47:
        return _parse_bank_line(line, reference)
    if len(line) == 48:
        return _parse_collection_line(line)
    raise LineError("length", f"Linha digitável com {len(line)} dígitos (esperado 47 ou 48)")


def _parse_bank_line(line: str, reference: date | None) -> ParsedLine:
    fields = ((line[0:9], line[9]), (line[10:20], line[20]), (line[21:31], line[31]))
    for n, (body, dv) in enumerate(fields, start=1):
        if mod10(body) != int(dv):
            raise LineError("field_dv", f"Dígito verificador do campo {n} inválido na linha digitável")
    barcode = bank_line_to_barcode(line)
    if mod11_bank(barcode[:4] + barcode[5:]) != int(barcode[4]):
        raise LineError("general_dv", "Dígito verificador geral (módulo 11) inválido na linha digitável")
    return ParsedLine("bank", line, barcode, _amount(barcode[9:19]), date_for_factor(barcode[5:9], reference))


def _collection_checker(third_digit: str):
    if third_digit in "67":
        return mod10
    if third_digit in "89":
        return mod11_collection
    raise LineError("value_id", f"Identificador de valor {third_digit} inválido (esperado 6, 7, 8 ou 9)")


def _parse_collection_line(line: str) -> ParsedLine:
    if line[0] != "8":
        raise LineError("product", "Linha de arrecadação deve começar com 8")
    check = _collection_checker(line[2])
    blocks = [line[i:i + 12] for i in range(0, 48, 12)]
    for n, block in enumerate(blocks, start=1):
        if check(block[:11]) != int(block[11]):
            raise LineError("field_dv", f"Dígito verificador do bloco {n} inválido na linha de arrecadação")
    barcode = "".join(block[:11] for block in blocks)
    if check(barcode[:3] + barcode[4:]) != int(barcode[3]):
        raise LineError("general_dv", "Dígito verificador geral inválido na linha de arrecadação")
    amount = _amount(barcode[4:15]) if line[2] in "68" else None  # 7/9: reference, not amount
    return ParsedLine("collection", line, barcode, amount, None)


def _amount(digits: str) -> Decimal:
    return (Decimal(int(digits)) / 100).quantize(Decimal("0.01"))


# --- conversions ---------------------------------------------------------------------

def bank_line_to_barcode(line: str) -> str:
    line = only_digits(line)
    return line[0:4] + line[32] + line[33:47] + line[4:9] + line[10:20] + line[21:31]


def bank_barcode_to_line(barcode: str) -> str:
    barcode = only_digits(barcode)
    free = barcode[19:44]
    f1 = barcode[0:4] + free[0:5]
    f2 = free[5:15]
    f3 = free[15:25]
    return f"{f1}{mod10(f1)}{f2}{mod10(f2)}{f3}{mod10(f3)}{barcode[4]}{barcode[5:19]}"


def collection_line_to_barcode(line: str) -> str:
    line = only_digits(line)
    return "".join(line[i:i + 11] for i in range(0, 48, 12))


def collection_barcode_to_line(barcode: str) -> str:
    barcode = only_digits(barcode)
    check = _collection_checker(barcode[2])
    blocks = [barcode[i:i + 11] for i in range(0, 44, 11)]
    return "".join(f"{b}{check(b)}" for b in blocks)


def line_to_barcode(line: str) -> str:
    line = only_digits(line)
    return collection_line_to_barcode(line) if len(line) == 48 else bank_line_to_barcode(line)


def barcode_to_line(barcode: str) -> str:
    barcode = only_digits(barcode)
    if len(barcode) != 44:
        raise LineError("length", f"Código de barras com {len(barcode)} dígitos (esperado 44)")
    return collection_barcode_to_line(barcode) if barcode[0] == "8" else bank_barcode_to_line(barcode)


def validate_barcode(barcode: str) -> str:
    """Check a 44-digit barcode's general DV; returns it, or raises LineError."""
    barcode = only_digits(barcode)
    if len(barcode) != 44:
        raise LineError("length", f"Código de barras com {len(barcode)} dígitos (esperado 44)")
    if barcode[0] == "8":
        check = _collection_checker(barcode[2])
        ok = check(barcode[:3] + barcode[4:]) == int(barcode[3])
    else:
        ok = mod11_bank(barcode[:4] + barcode[5:]) == int(barcode[4])
    if not ok:
        raise LineError("barcode_dv", "Dígito verificador do código de barras inválido")
    return barcode


# --- building (sandbox, tests) -----------------------------------------------------------

def build_bank_barcode(bank: str, amount: Decimal, due: date | None, free_field: str, currency: str = "9") -> str:
    factor = factor_for(due) if due else "0000"
    cents = f"{int((Decimal(amount) * 100).to_integral_value()):010d}"
    if len(bank) != 3 or len(free_field) != 25:
        raise ValueError("bank is 3 digits and the free field 25")
    body = bank + currency + factor + cents + free_field
    return body[:4] + str(mod11_bank(body)) + body[4:]


def build_bank_line(bank: str, amount: Decimal, due: date | None, free_field: str) -> str:
    return bank_barcode_to_line(build_bank_barcode(bank, amount, due, free_field))


def build_collection_barcode(segment: str, value_id: str, amount: Decimal, rest: str) -> str:
    """'8' + segment + value_id + DV + amount(11) + rest(29: company id, free field)."""
    if len(rest) != 29:
        raise ValueError("rest is 29 digits")
    cents = f"{int((Decimal(amount) * 100).to_integral_value()):011d}"
    body = "8" + segment + value_id + cents + rest
    check = _collection_checker(value_id)
    return body[:3] + str(check(body)) + body[3:]
