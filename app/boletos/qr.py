"""The PIX QR code's modules: reportlab's encoder (error correction M, as PIX BR Codes use), with the mask
chosen by ISO 18004's penalty rules computed on strings and integers.

reportlab's own mask search (`QRCode.make`) scores the eight masks module by module in Python: ~25 ms
of a 30 ms boleto page. The same four rules on row/column strings and bit masks take ~1 ms. Any mask
makes a valid code; the penalty only picks the one readers find easiest.
"""
from __future__ import annotations

import re
from reportlab.graphics.barcode import qrencoder

_RUN = re.compile(r"0{5,}|1{5,}")
_FINDER_LIKE = re.compile(r"(?=10111010000|00001011101)")


def penalty(rows: list[str]) -> int:
    """ISO 18004 mask penalty (N1=3, N2=3, N3=40, N4=10) of a matrix given as strings of '0'/'1'."""
    n = len(rows)
    lines = rows + ["".join(column) for column in zip(*rows)]
    score = sum(len(m.group()) - 2 for line in lines for m in _RUN.finditer(line))  # 3 + (run - 5)
    score += 40 * sum(len(_FINDER_LIKE.findall(line)) for line in lines)
    full = (1 << n) - 1
    bits = [int(row, 2) for row in rows]
    for upper, lower in zip(bits, bits[1:]):
        dark = upper & lower
        light = ~(upper | lower) & full
        score += 3 * ((dark & (dark >> 1)).bit_count() + (light & (light >> 1)).bit_count())
    dark_count = sum(row.count("1") for row in rows)
    score += 10 * int(abs(100 * dark_count / (n * n) - 50) / 5)
    return score


def _as_strings(modules) -> list[str]:
    return ["".join("1" if cell else "0" for cell in row) for row in modules]


def qr_modules(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The QR matrix of a payload, dark = True (the border is the drawer's)."""
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(payload)
    qr.version = qr.calculate_version()
    scores = []
    for mask in range(8):
        qr.makeImpl(True, mask)
        scores.append((penalty(_as_strings(qr.modules)), mask))
    qr.makeImpl(False, min(scores)[1])
    return tuple(tuple(bool(cell) for cell in row) for row in qr.modules)
