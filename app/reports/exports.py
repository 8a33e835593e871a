"""A campaign's clients as .xlsx (openpyxl, write-only) or .csv, both streamed while the rows are read.

Cells that start with = + - @ (or a tab / carriage return) are neutralised so a
spreadsheet never runs them as formulas: in .csv with a leading apostrophe (OWASP),
in .xlsx as explicit text cells with Excel's quote-prefix flag (the value itself stays intact). CPFs are always text.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Iterable, Iterator
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

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


def _styled_cell(sheet, value, quote_prefix: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # text, even when it starts with '=': never a formula
    cell.number_format = "@"
    cell.quotePrefix = quote_prefix  # Excel's own "typed with a leading apostrophe" flag
    return cell


def _template(title: str) -> bytes:
    """A workbook made by openpyxl (write-only) whose one row shows each cell style the export uses.

    Everything but its sheet is copied as is; its sheet gives the XML around the rows and the
    style numbers of a text cell and of a quote-prefixed text cell.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([_styled_cell(sheet, "texto"), _styled_cell(sheet, "=texto", quote_prefix=True)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


SHEET_PART = "xl/worksheets/sheet1.xml"
STYLE_OF = re.compile(rb'<c r="([AB])1" s="(\d+)"')
ROWS_FLUSHED = 200  # rows written to the zip (and a chunk handed to the response) at a time


class _Chunks:
    """A write-only sink (no tell/seek: zipfile then writes data descriptors) whose bytes are taken as chunks."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def _text_xml(ref: str, value: str, styles: dict[str, str]) -> str:
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    style = styles["quoted"] if value.startswith(FORMULA_PREFIXES) else styles["text"]
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'


def _row_xml(number: int, values: list, styles: dict) -> str:
    cells = []
    for column, value in enumerate(values, start=1):
        ref = f"{get_column_letter(column)}{number}"
        if isinstance(value, str):
            cells.append(_text_xml(ref, value, styles))
        elif isinstance(value, bool) or value is None:
            cells.append(_text_xml(ref, "" if value is None else str(value), styles))
        else:
            cells.append(f'<c r="{ref}" t="n"><v>{value}</v></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def stream_xlsx(rows: Iterable, user, title: str = "Clientes") -> Iterator[bytes]:
    """The export as .xlsx, in chunks while the rows are read: the download starts at once, memory stays flat.

    openpyxl's write-only workbook writes its rows to a temporary file and zips it only at the end;
    here its own output (styles, workbook, content types) is copied into a zip written to the
    response as it grows, and the sheet's rows, in the XML openpyxl writes for such cells, are
    deflated into it ROWS_FLUSHED at a time.
    """
    template = _template(title)
    sink = _Chunks()
    with zipfile.ZipFile(io.BytesIO(template)) as source, \
            zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as out:
        sheet_xml = source.read(SHEET_PART)
        styles = {("text" if col == b"A" else "quoted"): style.decode() for col, style in STYLE_OF.findall(sheet_xml)}
        head, _, rest = sheet_xml.partition(b"<sheetData>")
        tail = rest[rest.index(b"</sheetData>"):]
        for info in source.infolist():
            if info.filename != SHEET_PART:
                out.writestr(info.filename, source.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
        with out.open(SHEET_PART, "w") as sheet:
            sheet.write(head + b"<sheetData>" + _row_xml(1, HEADER, styles).encode())
            yield sink.take()
            batch: list[str] = []
            for number, row in enumerate(rows, start=2):
                batch.append(_row_xml(number, client_record(row, user), styles))
                if len(batch) >= ROWS_FLUSHED:
                    sheet.write("".join(batch).encode())
                    batch.clear()
                    chunk = sink.take()
                    if chunk:
                        yield chunk
            sheet.write("".join(batch).encode() + tail)
    yield sink.take()


def write_xlsx(rows: Iterable, user, title: str = "Clientes") -> bytes:
    """The whole export in memory (small ones, tests)."""
    return b"".join(stream_xlsx(rows, user, title))
