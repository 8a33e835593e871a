"""Where everything sits on the boleto page, as data: the recibo do pagador above the cut line, the ficha below.

A bank slip (47-digit line) gets the FEBRABAN ficha de compensação: bank code with its check digit and
the linha digitável in the header, local de pagamento, vencimento, beneficiário, agência/código,
the document row, nosso número, instruções with the cashier's column, the pagador, then the barcode.
A collection slip (48-digit "arrecadação" line) has no bank: its header names the segment, and the
bank-only boxes (local de pagamento, agência/código, nosso número, espécie, the cashier's column) are
not drawn. Boxes are filled from `values` (key -> text); a key with no text leaves its box blank.
`page_boxes` gives every box's rectangle, so tests can read exactly what a box holds.
"""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from .drawing import LABEL_FONT, LABEL_SIZE, draw_barcode, draw_box, draw_qr, fit, hard_wrap, wrap

LEFT = 15 * mm
WIDTH = 180 * mm
TOP = A4[1] - 12 * mm
HEADER = 9 * mm
ROW = 8.5 * mm
TALL_ROW = 11 * mm  # the beneficiário's row: name and CNPJ, then the address in small print
RIGHT_COLUMN = 38  # mm: vencimento, agência/código, nosso número, valores

# A row: (height in mm, cells). A cell: (label, key, width in mm, style) or a stack of such cells sharing
# the width of the first one (the cashier's column beside the instructions).
_RECIBO_BANK = [
    (TALL_ROW, [("Beneficiário", "beneficiary", 104, ""), ("Agência/Código do Beneficiário", "agency_code", RIGHT_COLUMN, "right"),
           ("Vencimento", "due_date", RIGHT_COLUMN, "right bold")]),
    (ROW, [("Pagador", "payer", 104, ""), ("Nosso número", "nosso_numero", RIGHT_COLUMN, "right"),
           ("(=) Valor do documento", "amount", RIGHT_COLUMN, "right bold")]),
    (ROW, [("Número do documento", "document_number", 50, ""), ("Data do documento", "document_date", 30, ""),
           ("Acordo", "agreement", 62, ""), ("Parcela", "installment", RIGHT_COLUMN, "right")]),
]
_RECIBO_COLLECTION = [
    (TALL_ROW, [("Beneficiário", "beneficiary", 142, ""), ("Vencimento", "due_date", RIGHT_COLUMN, "right bold")]),
    (ROW, [("Pagador", "payer", 142, ""), ("(=) Valor do documento", "amount", RIGHT_COLUMN, "right bold")]),
    (ROW, [("Número do documento", "document_number", 50, ""), ("Data do documento", "document_date", 30, ""),
           ("Acordo", "agreement", 62, ""), ("Parcela", "installment", RIGHT_COLUMN, "right")]),
]
_CASHIER = [("(=) Valor do documento", "amount", RIGHT_COLUMN, "right bold"),
            ("(-) Desconto / Abatimento", "discount", RIGHT_COLUMN, "right"),
            ("(+) Juros / Multa", "surcharge", RIGHT_COLUMN, "right"),
            ("(=) Valor cobrado", "charged", RIGHT_COLUMN, "right")]
_FICHA_BANK = [
    (ROW, [("Local de pagamento", "payment_place", 142, ""), ("Vencimento", "due_date", RIGHT_COLUMN, "right bold")]),
    (TALL_ROW, [("Beneficiário", "beneficiary", 142, ""),
                ("Agência/Código do Beneficiário", "agency_code", RIGHT_COLUMN, "right")]),
    (ROW, [("Data do documento", "document_date", 30, ""), ("Número do documento", "document_number", 50, ""),
           ("Espécie", "currency", 14, ""), ("Acordo / Parcela", "agreement_installment", 48, ""),
           ("Nosso número", "nosso_numero", RIGHT_COLUMN, "right")]),
    (32 * mm, [("Instruções (texto de responsabilidade do beneficiário)", "instructions", 142, "small"), _CASHIER]),
    (12 * mm, [("Pagador", "payer", 180, "")]),
]
_FICHA_COLLECTION = [
    (TALL_ROW, [("Beneficiário", "beneficiary", 142, ""), ("Vencimento", "due_date", RIGHT_COLUMN, "right bold")]),
    (ROW, [("Número do documento", "document_number", 50, ""), ("Data do documento", "document_date", 30, ""),
           ("Acordo / Parcela", "agreement_installment", 62, ""),
           ("(=) Valor do documento", "amount", RIGHT_COLUMN, "right bold")]),
    (24 * mm, [("Instruções (texto de responsabilidade do beneficiário)", "instructions", 180, "small")]),
    (12 * mm, [("Pagador", "payer", 180, "")]),
]


@dataclass(frozen=True)
class Box:
    part: str  # "recibo" | "ficha"
    label: str
    key: str
    x: float
    y: float
    w: float
    h: float
    style: str


def _rows_boxes(part: str, rows: list, top: float) -> tuple[list[Box], float]:
    boxes = []
    for height, cells in rows:
        x = LEFT
        for cell in cells:
            stack = cell if isinstance(cell, list) else [cell]
            each = height / len(stack)
            for i, (label, key, width, style) in enumerate(stack):
                boxes.append(Box(part, label, key, x, top - height + (len(stack) - 1 - i) * each, width * mm, each,
                                 style))
            x += stack[0][2] * mm
        top -= height
    return boxes, top


def page_boxes(kind: str) -> tuple[list[Box], dict[str, float]]:
    """Every box of a bank ("bank") or collection ("collection") page, and where the other parts go."""
    recibo, ficha = (_RECIBO_BANK, _FICHA_BANK) if kind == "bank" else (_RECIBO_COLLECTION, _FICHA_COLLECTION)
    spots = {"recibo_header": TOP - HEADER}
    boxes, bottom = _rows_boxes("recibo", recibo, TOP - HEADER)
    line_boxes, bottom = _rows_boxes("recibo", [(ROW, [("Linha digitável", "line", 180, "mono")])], bottom)
    spots["recibo_end"] = bottom - 4 * mm
    spots["cut"] = bottom - 9 * mm
    spots["ficha_header"] = spots["cut"] - 6 * mm - HEADER
    ficha_boxes, bottom = _rows_boxes("ficha", ficha, spots["ficha_header"])
    spots["codes_top"] = bottom - 5 * mm
    return boxes + line_boxes + ficha_boxes, spots


def _header(c, y: float, left_text: str, code: str, right_text: str, right_font: str, right_size: float) -> None:
    """Bank name | code-DV | the right text (linha digitável, or "Recibo do Pagador"), over a thick line."""
    c.setLineWidth(1.6)
    c.line(LEFT, y, LEFT + WIDTH, y)
    code_x = LEFT + 48 * mm
    room = 46 * mm if code else WIDTH - stringWidth(right_text, right_font, right_size) - 6 * mm
    c.setFont("Helvetica-Bold", 10)
    c.drawString(LEFT + 1 * mm, y + 2.5 * mm, fit(left_text, "Helvetica-Bold", 10, room))
    if code:
        c.setLineWidth(1.2)
        c.line(code_x, y, code_x, y + 7 * mm)
        c.line(code_x + 20 * mm, y, code_x + 20 * mm, y + 7 * mm)
        c.setFont("Helvetica-Bold", 14)
        c.drawCentredString(code_x + 10 * mm, y + 2 * mm, code)
    right_left = code_x + (21 * mm if code else 0)
    c.setFont(right_font, right_size)
    c.drawRightString(LEFT + WIDTH, y + 2.5 * mm,
                      fit(right_text, right_font, right_size, LEFT + WIDTH - right_left))


def _boxes(c, boxes: list[Box], values: dict) -> None:
    for box in boxes:
        value = values.get(box.key) or ""
        if "mono" in box.style:
            draw_box(c, box.x, box.y, box.w, box.h, box.label, value, bold=True, size=10)
        elif "small" in box.style:
            lines, room = wrap(value, "Helvetica", 7.5, box.w - 3 * mm), int((box.h - 3 * mm) // 9)
            if len(lines) > room:  # more than the box holds: the last line says so
                lines = lines[:room - 1] + [lines[room - 1] + " …"]
            draw_box(c, box.x, box.y, box.w, box.h, box.label, "\n".join(lines), size=7.5, rest_size=7.5)
        else:
            draw_box(c, box.x, box.y, box.w, box.h, box.label, value, align="right" if "right" in box.style else "left",
                     bold="bold" in box.style)


def _cut_line(c, y: float) -> None:
    c.saveState()
    c.setDash(3, 2)
    c.setLineWidth(0.5)
    c.line(LEFT, y, LEFT + WIDTH, y)
    c.restoreState()
    c.setFont(LABEL_FONT, LABEL_SIZE)
    c.drawRightString(LEFT + WIDTH, y + 1.2 * mm, "Corte na linha pontilhada")


def _codes(c, y_top: float, barcode: str | None, pix: str | None) -> float:
    """The barcode (left) and the PIX QR code (right) below the ficha; returns the lowest y used."""
    c.setFont(LABEL_FONT, LABEL_SIZE + 0.5)
    c.drawRightString(LEFT + WIDTH, y_top + 1.5 * mm, "Autenticação mecânica — Ficha de Compensação")
    lowest = y_top
    if barcode:
        lowest = y_top - 3 * mm - 13 * mm
        draw_barcode(c, barcode, LEFT, lowest)
    if pix:
        size = 32 * mm
        x = LEFT + WIDTH - size
        c.setFont("Helvetica-Bold", 7.5)
        c.drawCentredString(x + size / 2, y_top - 4.5 * mm, "Pague com PIX")
        draw_qr(c, pix, x, y_top - 5.5 * mm - size, size)
        lowest = min(lowest, y_top - 5.5 * mm - size)
    return lowest


def _pix_text(c, y: float, pix: str) -> None:
    c.setFont("Helvetica-Bold", 7)
    c.drawString(LEFT, y, "PIX copia e cola")
    c.setFont("Courier", 6.5)
    for line in hard_wrap(pix, "Courier", 6.5, WIDTH)[:20]:
        y -= 2.9 * mm
        c.drawString(LEFT, y, line)


def draw_page(c, kind: str, values: dict, barcode: str | None, pix: str | None) -> None:
    """Recibo do pagador, cut line, ficha (bank or collection), barcode, QR and its copia e cola."""
    boxes, spots = page_boxes(kind)
    left_text = values.get("bank_name") if kind == "bank" else values.get("segment_title")
    _header(c, spots["recibo_header"], left_text or "", values.get("bank_code", ""), "Recibo do Pagador",
            "Helvetica-Bold", 9)
    _header(c, spots["ficha_header"], left_text or "", values.get("bank_code", ""), values.get("line", ""),
            "Helvetica-Bold", 10.5)
    _boxes(c, boxes, values)
    c.setFont(LABEL_FONT, LABEL_SIZE + 0.5)
    c.drawRightString(LEFT + WIDTH, spots["recibo_end"], "Autenticação mecânica")
    _cut_line(c, spots["cut"])
    lowest = _codes(c, spots["codes_top"], barcode, pix)
    if pix:
        _pix_text(c, lowest - 5 * mm, pix)
    c.setFont(LABEL_FONT, 6.5)
    c.drawString(LEFT, 10 * mm, "Documento gerado pelo Preventivo a partir dos dados do credor; "
                                "campos que o credor não informou ficam em branco.")
