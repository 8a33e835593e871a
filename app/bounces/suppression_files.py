"""The suppression list as CSV: import (one address per line, an optional reason) and export.

Import accepts `;` or `,` separated files in UTF-8 (with or without BOM) or Latin-1, with or without a header
line (`email`, `motivo`); invalid addresses are reported by line, never stored. Export cells that would be a
spreadsheet formula get a leading quote.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from app.models import Suppression
from app.models.bounces import SOURCE_IMPORT
from app.timeutil import fmt_datetime

from . import suppression

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_LINES = 100_000
HEADER_WORDS = {"email", "e-mail", "endereco", "endereço"}
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ImportRefused(ValueError):
    """The file as a whole cannot be read (str() is Portuguese)."""


@dataclass
class ImportResult:
    added: int = 0
    already: int = 0
    invalid: list[tuple[int, str]] = field(default_factory=list)  # (line, value)


def valid_email(raw: str) -> str | None:
    address = suppression.normalize(raw)
    if "@" not in address or len(address) > 254:
        return None
    try:
        result = validate_email(address, check_deliverability=False, allow_smtputf8=False,
                                test_environment=True)
    except EmailNotValidError:
        return None
    return (result.ascii_email or result.normalized).lower()


def _text(data: bytes) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused("Arquivo grande demais (máximo de 5 MB).")
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused("Não foi possível ler o arquivo como texto CSV.")


def import_csv(data: bytes, default_reason: str) -> ImportResult:
    """Suppress every valid address of the file (source `import`); the caller audits and commits."""
    text = _text(data)
    delimiter = ";" if text.count(";") >= text.count(",") else ","
    result = ImportResult()
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if number > MAX_IMPORT_LINES:
            raise ImportRefused(f"Arquivo com mais de {MAX_IMPORT_LINES} linhas.")
        cells = [c.strip() for c in row]
        if not cells or not cells[0]:
            continue
        if number == 1 and cells[0].lower() in HEADER_WORDS:
            continue
        address = valid_email(cells[0])
        if address is None:
            result.invalid.append((number, cells[0][:100]))
            continue
        reason = (cells[1] if len(cells) > 1 and cells[1] else default_reason)[:500]
        if suppression.suppress(address, reason, SOURCE_IMPORT) is None:
            result.already += 1
        else:
            result.added += 1
    return result


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


def export_csv(rows: list[Suppression]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["email", "motivo", "origem", "desde", "campanha"])
    for row in rows:
        writer.writerow([_cell(row.email), _cell(row.reason or ""), row.source_label, fmt_datetime(row.since),
                         row.campaign_id or ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
