"""The PIX QR code of a boleto as an inline email image (the boleto's own encoder), cached per payload."""
from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from app.boletos.qr import qr_png


def pix_qr_cid(payload: str) -> str:
    return f"pix-{hashlib.sha1(payload.encode()).hexdigest()[:16]}@preventivo"


def pix_qr_png(payload: str) -> bytes:
    """About 160 px square with its quiet zone, the size the email shows it at."""
    return qr_png(payload, 160)


@lru_cache(maxsize=1024)
def pix_qr_base64(payload: str) -> bytes:
    encoded = base64.b64encode(pix_qr_png(payload))
    return b"\r\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))
