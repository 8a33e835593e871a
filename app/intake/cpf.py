"""CPF normalization: punctuation removed, lost leading zeros restored, check digits verified."""
from __future__ import annotations

from stdnum.br import cpf as stdnum_cpf

# python-stdnum is the reference (`stdnum_cpf.is_valid`), used for anything
# unusual. For the common case, 11 ASCII digits, its generic clean-up and
# generator sums cost about 20 us a line (2 s of the 5 s budget for 100k
# lines), so the same modulo-11 arithmetic is unrolled below;
# tests/intake/test_cpf.py checks it agrees with stdnum on random numbers.

_PUNCTUATION = str.maketrans("", "", ".-/ \u00a0")

MISSING = "CPF não informado"
NOT_DIGITS = "CPF com caracteres que não são números"
SCIENTIFIC = "CPF em notação científica (formate a coluna CPF como texto no Excel)"
WRONG_LENGTH = "CPF deve ter 11 dígitos"
REPEATED = "CPF inválido: todos os dígitos iguais"
CHECKSUM = "CPF inválido: dígitos verificadores não conferem"


def normalize_cpf(raw: str) -> tuple[str | None, str | None]:
    """'036.855.092-33' / '3685509233' -> ('03685509233', None); invalid -> (None, reason)."""
    text = raw.strip()
    if not text:
        return None, MISSING
    digits = text.translate(_PUNCTUATION)
    if not (digits.isascii() and digits.isdigit()):
        if "E+" in text.upper():
            return None, SCIENTIFIC
        return None, NOT_DIGITS
    if 9 <= len(digits) <= 10:
        # A CPF stored as a number in Excel loses its leading zeros.
        digits = digits.zfill(11)
    if len(digits) != 11:
        return None, WRONG_LENGTH
    if digits == digits[0] * 11:
        return None, REPEATED
    if not check_digits_match(digits):
        return None, CHECKSUM
    return digits, None


def check_digits_match(digits: str) -> bool:
    """The two CPF check digits of 11 ASCII digits (same result as python-stdnum's is_valid)."""
    n = digits.encode("ascii")
    # Weighted sums of the ASCII codes; 48 * sum(weights) removes the '0' offsets.
    s1 = (10 * n[0] + 9 * n[1] + 8 * n[2] + 7 * n[3] + 6 * n[4] + 5 * n[5] + 4 * n[6] + 3 * n[7] + 2 * n[8]
          - 48 * 54)
    d1 = (11 - s1) % 11 % 10
    s2 = (11 * n[0] + 10 * n[1] + 9 * n[2] + 8 * n[3] + 7 * n[4] + 6 * n[5] + 5 * n[6] + 4 * n[7] + 3 * n[8]
          - 48 * 63 + 2 * d1)
    d2 = (11 - s2) % 11 % 10
    return n[9] - 48 == d1 and n[10] - 48 == d2


def is_valid_reference(digits: str) -> bool:
    """python-stdnum's verdict, for tests and for callers outside the hot path."""
    return stdnum_cpf.is_valid(digits)
