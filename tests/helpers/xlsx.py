"""Spreadsheets built for a test: an .xlsx whose sheet declares a dimension of our choosing."""
from __future__ import annotations

import io
import re
import zipfile

import openpyxl


def xlsx_declaring(dimension: str, rows: list[tuple]) -> bytes:
    """An .xlsx of `rows` whose first sheet declares `<dimension ref="{dimension}"/>` (what it says, not what it has)."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data, count = re.subn(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>'.encode(), data)
                if not count:  # write-only sheets may omit it: put it where it belongs
                    data = data.replace(b"<sheetData", f'<dimension ref="{dimension}"/><sheetData'.encode(), 1)
            target.writestr(info, data)
    return out.getvalue()
