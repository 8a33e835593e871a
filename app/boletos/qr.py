"""The PIX QR code of a boleto, encoded once per payload and shared by the PDF and the email.

zxing-cpp's writer (C++: byte mode, error correction M as PIX BR Codes use, the mask chosen by
ISO 18004's penalty) encodes a PIX payload in about 1 ms; the pure-Python encoders took 15–25 ms,
most of it scoring the eight masks, and a boleto needed the code twice (its PDF and its email's
inline image). The matrix is cached per payload: a client's addresses and a boleto's page share it.
"""
from __future__ import annotations

import io
from functools import lru_cache

import zxingcpp
from PIL import Image

QUIET_ZONE = 4  # modules of white around the code, as ISO 18004 asks


@lru_cache(maxsize=1024)
def qr_modules(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The QR matrix of a payload, dark = True (the quiet zone is the drawer's)."""
    code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = code.to_image(scale=1, add_quiet_zones=False)  # one byte a module: 0 dark, 255 light
    size = image.shape[0]
    cells = bytes(memoryview(image))
    return tuple(tuple(cells[r * size + c] < 128 for c in range(size)) for r in range(size))


@lru_cache(maxsize=1024)
def qr_png(payload: str, pixels: int = 160) -> bytes:
    """The code as a PNG of about `pixels` square (whole pixels per module), its quiet zone included."""
    modules = qr_modules(payload)
    count = len(modules) + 2 * QUIET_ZONE
    scale = max(2, pixels // count)
    image = Image.new("1", (count, count), 1)
    image.putdata([0 if dark else 1
                   for row in _with_quiet_zone(modules, count) for dark in row])
    buffer = io.BytesIO()
    image.resize((count * scale, count * scale), Image.Resampling.NEAREST).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _with_quiet_zone(modules: tuple[tuple[bool, ...], ...], count: int):
    blank = (False,) * count
    side = (False,) * QUIET_ZONE
    yield from (blank for _ in range(QUIET_ZONE))
    for row in modules:
        yield side + row + side
    yield from (blank for _ in range(QUIET_ZONE))
