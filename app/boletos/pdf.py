"""The boleto PDF Preventivo draws when the creditor gives no `pdf_url`: one A4 page in the FEBRABAN layout.

The recibo do pagador above the cut line, the ficha de compensação below it (layout.py), the
Interleaved 2 of 5 barcode at the standard size with its quiet zones and, when the parcela has a PIX
payload, its QR code beside the barcode and the "copia e cola" text (boleto híbrido). A collection
(48-digit) line gets the arrecadação layout. What the creditor did not send is left blank, never
invented. Metadata: title, author (the operation), creator and a real creation date.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from app.security.masking import format_cpf
from app.web import brl

from .banks import bank_code, bank_name, collection_segment
from .details import format_cnpj
from .layout import draw_page
from .lines import line_to_barcode

PAYMENT_PLACE = "Pagável em qualquer banco"  # any bank of the clearing system accepts a valid bank slip


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
    # The pagador's own CPF, printed whole: the boleto goes only to them, and banks print it so.
    client_cpf: str | None = None
    # The creditor's optional print fields (app.boletos.details.DETAIL_FIELDS).
    nosso_numero: str | None = None
    document_number: str | None = None
    document_date: date | None = None
    instructions: str | None = None  # one instruction per line
    beneficiary_name: str | None = None
    beneficiary_cnpj: str | None = None
    beneficiary_agency_code: str | None = None
    beneficiary_address: str | None = None
    created_at: datetime | None = None  # the PDF's creation date; now when None


def digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


def barcode_from_line(line: str | None) -> str | None:
    """The 44-digit barcode of a 47-digit (bank) or 48-digit (collection) line; None if neither."""
    d = digits(line)
    return line_to_barcode(d) if len(d) in (47, 48) else None


def format_line(line: str | None) -> str:
    """The digitable line grouped for reading (FEBRABAN layout)."""
    d = digits(line)
    if len(d) == 47:
        return f"{d[0:5]}.{d[5:10]} {d[10:15]}.{d[15:21]} {d[21:26]}.{d[26:32]} {d[32]} {d[33:47]}"
    if len(d) == 48:
        return " ".join(f"{d[i:i + 11]}-{d[i + 11]}" for i in range(0, 48, 12))
    return " ".join(d[i:i + 5] for i in range(0, len(d), 5)) if d else ""


def _date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _joined(*parts: str | None) -> str:
    return " — ".join(p for p in parts if p)


def page_values(b: BoletoPrint) -> dict[str, str]:
    """The text of every box (layout.py keys); blank where the creditor sent nothing."""
    line = digits(b.line)
    bank = len(line) == 47
    installment = f"{b.number} de {b.total}" if b.number and b.total else (str(b.number) if b.number else "")
    cnpj = format_cnpj(b.beneficiary_cnpj)
    segment = collection_segment(line)
    return {
        "bank_name": bank_name(line),
        "bank_code": bank_code(line),
        "segment_title": _joined("Arrecadação", segment),
        "line": format_line(line),
        "payment_place": PAYMENT_PLACE if bank else "",
        "due_date": _date(b.due_date),
        "beneficiary": _joined(b.beneficiary_name, f"CNPJ {cnpj}" if cnpj else None)
                       + (f"\n{b.beneficiary_address}" if b.beneficiary_address else ""),
        "agency_code": b.beneficiary_agency_code or "",
        "nosso_numero": b.nosso_numero or "",
        "document_number": b.document_number or "",
        "document_date": _date(b.document_date),
        "currency": "R$" if bank and line[3] == "9" else "",
        "agreement": b.agreement or "",
        "installment": installment,
        "agreement_installment": _joined(b.agreement, f"parcela {installment}" if installment else None),
        "amount": brl(b.amount) if b.amount is not None else "",
        "instructions": b.instructions or "",
        "payer": _joined((b.client_name or "").strip() or None,
                         f"CPF {format_cpf(b.client_cpf)}" if b.client_cpf else None),
    }


def _pdf_date(when: datetime):
    """reportlab's date formatter, giving `when` (UTC) whatever reportlab's own clock says."""
    stamp = when.astimezone(timezone.utc).strftime("D:%Y%m%d%H%M%S+00'00'")
    return lambda *_ignored: stamp


def render_boleto_pdf(b: BoletoPrint) -> bytes:
    """One A4 page: recibo do pagador, cut line, ficha de compensação with barcode (and PIX QR) (~5 ms)."""
    buf = io.BytesIO()
    # invariant=1 keeps the document id stable; the date is set explicitly (invariant mode alone says 2000).
    # Compressed: a QR code is a thousand rectangles; zlib makes the page 3-4x smaller for ~0.1 ms.
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1, invariant=1)
    c.setDateFormatter(_pdf_date(b.created_at or datetime.now(timezone.utc)))
    installment = f", parcela {b.number} de {b.total}" if b.number and b.total else ""
    c.setTitle(f"Boleto {b.operation} — acordo {b.agreement}{installment}")
    c.setAuthor(b.operation)
    c.setSubject(_joined(f"Vencimento {_date(b.due_date)}" if b.due_date else None,
                         brl(b.amount) if b.amount is not None else None))
    c.setCreator("Preventivo")
    line = digits(b.line)
    barcode = digits(b.barcode) or barcode_from_line(line)
    if not barcode or len(barcode) % 2:
        barcode = None
    draw_page(c, "collection" if len(line) == 48 else "bank", page_values(b), barcode, b.pix)
    c.showPage()
    c.save()
    return buf.getvalue()
