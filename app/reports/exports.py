"""A campaign's clients as .xlsx (openpyxl, write-only) or .csv.

Cells that start with = + - @ (or a tab / carriage return) are neutralised so a
spreadsheet never runs them as formulas: in .csv with a leading apostrophe (OWASP),
in .xlsx as explicit text cells with Excel's quote-prefix flag (the value itself stays intact). CPFs are always text.
"""
from __future__ import annotations

import csv
import io
from typing import Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from app.models.campaigns import DELIVERY_STATUS_LABELS
from app.security.masking import cpf_for
from app.timeutil import fmt_date, fmt_datetime
from app.web import brl

HEADER = ["CPF", "Nome", "Linha", "Resultado", "Detalhe", "E-mails", "Boletos", "Envios"]
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _boletos_text(row) -> str:
    parts = []
    for b in row.boletos:
        text = f"{b.number or '?'}/{b.total or '?'} vence {fmt_date(b.due_date)} {brl(b.amount)}".strip()
        if not b.valid:
            text += f" (inválido: {b.invalid_reason or 'sem motivo'})"
        parts.append(text)
    return "; ".join(parts)


def _deliveries_text(row) -> str:
    parts = []
    for d in row.deliveries:
        text = f"{d.email or '(removido)'}: {DELIVERY_STATUS_LABELS.get(d.status, d.status)}"
        if d.sent_at:
            text += f" em {fmt_datetime(d.sent_at)}"
        if d.last_error and d.status != "sent":
            text += f" ({d.last_error})"
        parts.append(text)
    return "; ".join(parts)


def client_record(row, user) -> list:
    c = row.client
    return [
        cpf_for(user, c.cpf) if c.cpf else "(removido)",
        c.name or "",
        c.line if c.line is not None else "",
        row.bucket_label,
        c.error or "",
        ", ".join(c.email_list),
        _boletos_text(row),
        _deliveries_text(row),
    ]


def write_csv(rows: Iterable, user) -> Iterator[str]:
    """CSV for Excel in Brazil: UTF-8 with BOM, ';' separated. Streams line by line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    writer.writerow(HEADER)
    yield "\ufeff" + flush()
    for row in rows:
        writer.writerow([neutralise(v) if isinstance(v, str) else v for v in client_record(row, user)])
        yield flush()


def write_xlsx(rows: Iterable, user, title: str = "Clientes") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(HEADER)
    for row in rows:
        cells = []
        for value in client_record(row, user):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it starts with '=': never a formula
                cell.number_format = "@"
                if value.startswith(FORMULA_PREFIXES):
                    cell.quotePrefix = True  # Excel's own "typed with a leading apostrophe" flag
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
