"""The drawn boleto scans: a real reader (zxing-cpp, on PDFium's 300 dpi rendering) gets the barcode derived
from the line and, on a boleto híbrido, the PIX payload from its QR code."""
import pytest

from reportlab.lib.pagesizes import A4

from app.boletos.layout import page_boxes
from app.boletos.lines import line_to_barcode
from app.boletos.pdf import render_boleto_pdf
from tests.boletos.samples import BANK_LINE, COLLECTION_LINE, FULL, PIX, boleto
from tests.helpers.pdf_reading import DPI, MM, read_pdf


@pytest.mark.parametrize("line", [BANK_LINE, COLLECTION_LINE], ids=["47 digits", "48 digits"])
@pytest.mark.parametrize("pix", [None, PIX], ids=["no pix", "pix"])
def test_the_page_scans_as_the_lines_barcode_and_the_pix_payload(line, pix):
    read = read_pdf(render_boleto_pdf(boleto(line, pix=pix, **FULL)))

    expected = {"ITF": [line_to_barcode(line)]} | ({"QRCode": [pix]} if pix else {})
    assert read.codes == expected


def _dark_columns(image, row: int) -> list[int]:
    return [x for x in range(image.width) if image.getpixel((x, row)) < 128]


def test_the_barcode_has_the_standard_size_and_quiet_zones():
    image = read_pdf(render_boleto_pdf(boleto(BANK_LINE))).image
    _, spots = page_boxes("bank")
    top = int((A4[1] - spots["codes_top"]) / 72 * DPI)  # the band under the ficha, where the barcode is
    rows = [y for y in range(top, top + int(25 * MM)) if len(_dark_columns(image, y)) > 100]
    middle = rows[len(rows) // 2]
    dark = _dark_columns(image, middle)
    first, last = dark[0], dark[-1]

    assert 102 * MM <= last - first + 1 <= 104 * MM
    assert 12.5 * MM <= len(rows) <= 13.5 * MM
    quiet = 6 * MM
    assert all(image.getpixel((x, middle)) > 200 for x in range(int(first - quiet), first))
    assert all(image.getpixel((x, middle)) > 200 for x in range(last + 1, int(last + quiet)))
