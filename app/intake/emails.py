"""Email syntax checks without DNS, fast enough for 100k lines.

email-validator is exact but checks about 15,000 addresses a second. Nearly
every real address is plain ASCII `local@label.label.tld`; a conservative
regular expression accepts exactly those (a subset of what email-validator
accepts, checked by a test), and every other address goes to email-validator,
so nothing invalid gets through the fast path.
"""
from __future__ import annotations

import re

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

_SPLIT = re.compile(r"[;,\s]+")
_ATEXT = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_SPECIAL_TLDS = "|".join(re.escape(name) for name in SPECIAL_USE_DOMAIN_NAMES)
# One pass: local part of at most 64 atext characters with single dots, a domain of
# LDH labels without '--' (IDNA-looking labels go to email-validator) and an
# alphabetic top-level domain that is not a special-use name (.test, .local, ...).
_PLAIN = re.compile(
    rf"(?=[^@]{{1,64}}@){_ATEXT}+(?:\.{_ATEXT}+)*@(?![^@]*--)"
    rf"(?:{_LABEL}\.)+(?!(?:{_SPECIAL_TLDS})$)[a-z]{{2,63}}"
)

INVALID = "E-mail inválido"
MISSING = "E-mail não informado"


def split_cell(cell: str) -> list[str]:
    """A cell may hold several addresses separated by ';', ',' or spaces."""
    if "," in cell or ";" in cell:
        return [part for part in _SPLIT.split(cell) if part]
    return cell.split()


def normalize_email(raw: str) -> str | None:
    """The address in lower case, or None when its syntax is invalid."""
    address = raw.strip().lower()
    if "@" not in address:
        return None
    if len(address) <= 254 and _PLAIN.fullmatch(address):
        return address
    try:
        # SMTPUTF8 (accented local parts) is refused: most SMTP services cannot deliver it,
        # and in these spreadsheets an accent is nearly always a typo.
        result = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return None
    return (result.ascii_email or result.normalized).lower()

