"""Drawing primitives of the boleto page: labelled boxes, text that fits, the ITF barcode and the PIX QR code.

Both codes are written as one filled path each (one `re` per bar or per run of dark modules) rather
than one reportlab shape per bar/module: about 3x faster for the barcode, far more for a QR code
(whose modules come from qr.py).
reportlab's I2of5 draws a valid boleto barcode only with checksum=0, bearers=0, quiet=0
(docs/architecture.md, "Field notes").
"""
from __future__ import annotations

import itertools

from reportlab.graphics.barcode.common import I2of5
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from .qr import qr_modules

LABEL_FONT, LABEL_SIZE = "Helvetica", 5.5
VALUE_FONT, VALUE_SIZE = "Helvetica", 8.5
LINE_WIDTH = 0.6

# FEBRABAN's barcode: narrow bar 0.254 mm, wide 3x, 13 mm high: 44 digits are 102.9 mm long.
BAR_NARROW = 0.254 * mm
BAR_HEIGHT = 13 * mm
QUIET_ZONE = 6.35 * mm  # 25 narrow bars each side (ITF asks for at least 10)


class _BatchedI2of5(I2of5):
    """reportlab's I2of5 encoding, with its ~110 bars written as one filled path."""

    def draw(self):
        self._ops = []
        super().draw()
        self.canv.addLiteral(" ".join(self._ops) + " f")

    def rect(self, x, y, w, h):
        self._ops.append(f"{x:.3f} {y:.3f} {w:.3f} {h:.3f} re")


def barcode_width(barcode: str) -> float:
    """Width of the bars alone (start, digits, stop), in points."""
    return (len(barcode) * 9 + 9) * BAR_NARROW  # per digit 2 wide + 3 narrow (9 units); start 4 + stop 5


def draw_barcode(c, barcode: str, x: float, y: float) -> float:
    """The ITF barcode with its quiet zones from (x, y) (bottom left of the left quiet zone); returns the width."""
    c.saveState()
    c.setFillColorRGB(0, 0, 0)
    _BatchedI2of5(barcode, checksum=0, bearers=0, quiet=0, barWidth=BAR_NARROW, ratio=3,
                  barHeight=BAR_HEIGHT).drawOn(c, x + QUIET_ZONE, y)
    c.restoreState()
    return QUIET_ZONE * 2 + barcode_width(barcode)


def draw_qr(c, payload: str, x: float, y: float, size: float, border: int = 4) -> None:
    """A QR code of `size` points square (its quiet zone of `border` modules included), bottom left at (x, y)."""
    modules = qr_modules(payload)
    count = len(modules)
    box = size / (count + 2 * border)
    ops = []
    for r, row in enumerate(modules):
        top = y + size - (r + border + 1) * box
        col = 0
        for dark, run in itertools.groupby(row):
            length = len(list(run))
            if dark:
                ops.append(f"{x + (col + border) * box:.3f} {top:.3f} {length * box:.3f} {box:.3f} re")
            col += length
    c.saveState()
    c.setFillColorRGB(0, 0, 0)
    c.addLiteral(" ".join(ops) + " f")
    c.restoreState()


def fit(text: str, font: str, size: float, width: float) -> str:
    """The text, cut with an ellipsis when it is wider than `width` (a box never overflows into the next)."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def hard_wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of as many characters as fit in `width` of a monospaced font, spaces kept where they are."""
    per_line = max(1, int(width // stringWidth("0", font, size)))
    return [text[i:i + per_line] for i in range(0, len(text), per_line)]


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of at most `width` points, broken at spaces (or anywhere, for a long unbroken token)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if stringWidth(candidate, font, size) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            while stringWidth(word, font, size) > width:
                cut = max(1, int(len(word) * width / stringWidth(word, font, size)))
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        lines.append(current)
    return lines


def draw_box(c, x: float, y: float, w: float, h: float, label: str, value: str = "", *,
             align: str = "left", bold: bool = False, size: float = VALUE_SIZE, rest_size: float = 7) -> None:
    """A labelled box (x, y = bottom left): the label small at the top, the value below it; blank stays blank.

    Lines after the first (an address) are in `rest_size` print."""
    c.setLineWidth(LINE_WIDTH)
    c.rect(x, y, w, h, stroke=1, fill=0)
    c.setFont(LABEL_FONT, LABEL_SIZE)
    c.drawString(x + 1.2 * mm, y + h - 2.4 * mm, label)
    if not value:
        return
    font = "Helvetica-Bold" if bold else VALUE_FONT
    baseline = y + h - 2.4 * mm - size - 1
    for i, line in enumerate(value.split("\n")):
        line_size = size if i == 0 else min(size, rest_size)
        c.setFont(font, line_size)
        line = fit(line, font, line_size, w - 2.4 * mm)
        if align == "right":
            c.drawRightString(x + w - 1.2 * mm, baseline, line)
        else:
            c.drawString(x + 1.2 * mm, baseline, line)
        baseline -= line_size + 1.5
