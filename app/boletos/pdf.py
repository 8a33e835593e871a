"""A one-page boleto PDF rendered by Preventivo when the provider gives no `pdf_url`.

reportlab's I2of5 draws a valid boleto barcode (about 103 mm) only with
checksum=0, bearers=0, quiet=0 (docs/architecture.md, "Field notes").
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.graphics.barcode.common import I2of5
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from app.web import brl


class _BatchedI2of5(I2of5):
    """reportlab's I2of5 encoding, with its ~110 bars written as one filled path (3x faster than a
    `canvas.rect` per bar, which matters at campaign scale)."""

    def draw(self):
        self._ops = []
        super().draw()
        self.canv.addLiteral(" ".join(self._ops) + " f")

    def rect(self, x, y, w, h):
        self._ops.append(f"{x:.3f} {y:.3f} {w:.3f} {h:.3f} re")


@dataclass(frozen=True)
class BoletoPrint:
    operation: str
    agreement: str
    number: int | None
    total: int | None
    amount: Decimal | None
    due_date: date | None
    line: str
    barcode: str | None = None
    client_name: str | None = None
    pix: str | None = None


def digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


def barcode_from_line(line: str | None) -> str | None:
    """The 44-digit barcode of a 47-digit (bank) or 48-digit (collection) line; None if neither.

    Prefers app.boletos.lines when it exists (the collection capability's line arithmetic).
    """
    try:
        from app.boletos import lines  # noqa: F401

        convert = getattr(lines, "barcode_from_line", None) or getattr(lines, "line_to_barcode", None)
        if convert is not None:
            return convert(line)
    except ImportError:
        pass
    d = digits(line)
    if len(d) == 47:
        # bank(3) currency(1) | free 5 | dv | free 10 | dv | free 10 | dv | general dv | factor+value 14
        return d[0:4] + d[32] + d[33:47] + d[4:9] + d[10:20] + d[21:31]
    if len(d) == 48:
        # four blocks of 11 digits, each followed by its check digit
        return d[0:11] + d[12:23] + d[24:35] + d[36:47]
    return None


def format_line(line: str | None) -> str:
    """The digitable line grouped for reading (FEBRABAN layout)."""
    d = digits(line)
    if len(d) == 47:
        return f"{d[0:5]}.{d[5:10]} {d[10:15]}.{d[15:21]} {d[21:26]}.{d[26:32]} {d[32]} {d[33:47]}"
    if len(d) == 48:
        return " ".join(f"{d[i:i + 11]}-{d[i + 11]}" for i in range(0, 48, 12))
    return " ".join(d[i:i + 5] for i in range(0, len(d), 5)) if d else ""


def _brl(value) -> str:
    return brl(value) if value is not None else "—"


def render_boleto_pdf(b: BoletoPrint) -> bytes:
    """One A4 page: operation, agreement, installment, amount, due date, line, I2of5 barcode (~3 ms)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=0, invariant=1)
    c.setTitle(f"Boleto {b.operation} {b.agreement}")
    width, height = A4
    left = 18 * mm
    y = height - 25 * mm
    c.setFont("Helvetica-Bold", 16)
    c.drawString(left, y, f"{b.operation} — Boleto de pagamento")
    c.setFont("Helvetica", 10)
    y -= 12 * mm
    rows = [
        ("Acordo", b.agreement),
        ("Parcela", f"{b.number or '—'} de {b.total or '—'}"),
        ("Valor", _brl(b.amount)),
        ("Vencimento", b.due_date.strftime("%d/%m/%Y") if b.due_date else "—"),
    ]
    if b.client_name:
        rows.insert(0, ("Pagador", b.client_name))
    for label, value in rows:
        c.setFont("Helvetica-Bold", 10)
        c.drawString(left, y, label)
        c.setFont("Helvetica", 10)
        c.drawString(left + 32 * mm, y, str(value))
        y -= 7 * mm
    y -= 4 * mm
    c.setFont("Helvetica-Bold", 10)
    c.drawString(left, y, "Linha digitável")
    y -= 7 * mm
    c.setFont("Courier-Bold", 11)
    c.drawString(left, y, format_line(b.line))
    barcode = digits(b.barcode) or barcode_from_line(b.line)
    if barcode and len(barcode) % 2 == 0:
        y -= 20 * mm
        _BatchedI2of5(barcode, checksum=0, bearers=0, quiet=0, barWidth=0.254 * mm, ratio=3, barHeight=13 * mm).drawOn(c, left, y)
    if b.pix:
        y -= 12 * mm
        c.setFont("Helvetica-Bold", 10)
        c.drawString(left, y, "PIX copia e cola")
        c.setFont("Courier-Bold", 7)
        for i in range(0, min(len(b.pix), 400), 95):
            y -= 4 * mm
            c.drawString(left, y, b.pix[i:i + 95])
    c.setFont("Helvetica", 8)
    c.drawString(left, 15 * mm, "Documento gerado pelo Preventivo a partir dos dados do credor.")
    c.showPage()
    c.save()
    return buf.getvalue()
