"""Reading a PDF as a person and a bank's scanner would: PDFium renders it (300 dpi) and gives its text,
zxing-cpp decodes its barcodes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pypdfium2 as pdfium
import zxingcpp

DPI = 300
MM = DPI / 25.4  # pixels per millimetre


@dataclass
class ReadPdf:
    text: str
    codes: dict  # zxing format name ("ITF", "QRCode") -> decoded texts
    metadata: dict
    image: object  # PIL image, grayscale, DPI dots per inch
    boxes: dict  # (part, label) -> the text inside that box


def read_pdf(data: bytes, boxes=()) -> ReadPdf:
    """Render the first page and read it; `boxes` are app.boletos.layout.Box rectangles to read one by one."""
    doc = pdfium.PdfDocument(data)
    try:
        page = doc[0]
        image = page.render(scale=DPI / 72, grayscale=True).to_pil()
        codes: dict = {}
        for result in zxingcpp.read_barcodes(image):
            codes.setdefault(result.format.name, []).append(result.text)
        textpage = page.get_textpage()
        inside = {(b.part, b.label): " ".join(textpage.get_text_bounded(b.x + 0.5, b.y + 0.5, b.x + b.w - 0.5,
                                                                        b.y + b.h - 0.5).split())
                  for b in boxes}
        return ReadPdf(textpage.get_text_range(), codes, doc.get_metadata_dict(), image, inside)
    finally:
        doc.close()


def pdf_date(text: str) -> datetime:
    """D:20261130223333+00'00' -> an aware datetime."""
    stamp = text.removeprefix("D:")
    when = datetime.strptime(stamp[:14], "%Y%m%d%H%M%S")
    sign, hours, minutes = stamp[14], int(stamp[15:17] or 0), int(stamp[18:20] or 0)
    offset = (hours * 60 + minutes) * (-1 if sign == "-" else 1)
    return when.replace(tzinfo=timezone.utc) - timedelta(minutes=offset)
