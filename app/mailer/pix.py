"""The PIX QR code of a boleto as a PNG (segno), cached per payload: a client's addresses share it."""
from __future__ import annotations

import base64
import hashlib
import io
from functools import lru_cache

import segno


def pix_qr_cid(payload: str) -> str:
    return f"pix-{hashlib.sha1(payload.encode()).hexdigest()[:16]}@preventivo"


@lru_cache(maxsize=1024)
def pix_qr_png(payload: str) -> bytes:
    """A QR (error correction M, as banks print them) scaled to about 160 px with its quiet zone."""
    qr = segno.make(payload, error="m", micro=False)
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=max(2, 160 // (qr.symbol_size(border=4)[0])), border=4)
    return buffer.getvalue()


@lru_cache(maxsize=1024)
def pix_qr_base64(payload: str) -> bytes:
    encoded = base64.b64encode(pix_qr_png(payload))
    return b"\r\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))
