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
from PIL import Image, ImageOps

QUIET_ZONE = 4  # modules of white around the code, as ISO 18004 asks


@lru_cache(maxsize=1024)
def _symbol(payload: str) -> tuple[int, bytes]:
    """The code's side in modules and one byte a module (0 dark, 255 light), quiet zone left out."""
    code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = code.to_image(scale=1, add_quiet_zones=False)
    return image.shape[0], bytes(memoryview(image))


@lru_cache(maxsize=1024)
def qr_modules(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The QR matrix of a payload, dark = True (the quiet zone is the drawer's)."""
    size, cells = _symbol(payload)
    return tuple(tuple(cells[r * size + c] < 128 for c in range(size)) for r in range(size))


@lru_cache(maxsize=1024)
def qr_png(payload: str, pixels: int = 160) -> bytes:
    """The code as a PNG of about `pixels` square (whole pixels per module), its quiet zone included."""
    size, cells = _symbol(payload)
    count = size + 2 * QUIET_ZONE
    scale = max(2, pixels // count)
    image = ImageOps.expand(Image.frombytes("L", (size, size), cells), border=QUIET_ZONE, fill=255)
    image = image.resize((count * scale, count * scale), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.convert("1", dither=Image.Dither.NONE).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
