"""An operation's brand in the debtor's email: checks for what admins enter, and the per-operation brand data.

Each check returns the cleaned value or raises ValueError with a pt-BR message (the panel shows it as is).
`Brand` is plain data built once per batch; its logo and base64 are cached per operation and content.
"""
from __future__ import annotations

import base64
import hashlib
import io
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from email_validator import EmailNotValidError, validate_email
from PIL import Image, UnidentifiedImageError
from stdnum.br import cnpj as cnpj_number

LOGO_MAX_BYTES = 200_000
LOGO_MAX_SIDE = 2000  # pixels: a logo, not a photo (and no decompression bomb)
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
DEFAULT_COLOR = "#1f4e79"
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def clean_logo(data: bytes | None) -> tuple[bytes, str] | None:
    """(bytes, mime) of an uploaded PNG/JPEG, opened and decoded to be sure; None for no file."""
    if not data:
        return None
    if len(data) > LOGO_MAX_BYTES:
        raise ValueError(f"O logotipo tem {len(data) // 1000} KB; o limite é {LOGO_MAX_BYTES // 1000} KB.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
            if kind not in LOGO_FORMATS:
                raise ValueError("O logotipo deve ser uma imagem PNG ou JPEG.")
            if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
                raise ValueError(f"O logotipo deve ter no máximo {LOGO_MAX_SIDE} × {LOGO_MAX_SIDE} pixels.")
            image.load()  # decode it whole: a truncated or forged file fails here
    except ValueError:
        raise
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValueError("O arquivo enviado não é uma imagem PNG ou JPEG válida.") from exc
    return data, LOGO_FORMATS[kind]


def clean_color(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not _COLOR.match(value):
        raise ValueError("Cor inválida: use o formato #rrggbb (por exemplo, #da291c).")
    return value.lower()


def clean_cnpj(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not cnpj_number.is_valid(value):
        raise ValueError("CNPJ inválido: confira os 14 dígitos.")
    return cnpj_number.compact(value)


def clean_email(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"Endereço de e-mail inválido: {value}") from exc


def format_cnpj(value: str | None) -> str:
    return cnpj_number.format(value) if value else ""


@lru_cache(maxsize=64)
def _logo_base64(cid: str, data: bytes) -> bytes:
    """The logo as base64 with CRLF every 76 characters (MIME), once per content."""
    encoded = base64.b64encode(data)
    return b"\r\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))


@dataclass(frozen=True)
class Brand:
    """What the email shows of an operation (plain data: built once per batch)."""

    name: str
    color: str = DEFAULT_COLOR
    logo: bytes | None = None
    logo_mime: str | None = None
    phone: str = ""
    site: str = ""
    hours: str = ""
    legal_name: str = ""
    cnpj: str = ""
    reply_to: str | None = None

    @classmethod
    def of(cls, operation) -> "Brand":
        return cls(
            name=operation.public_name, color=operation.brand_color or DEFAULT_COLOR,
            logo=operation.logo or None, logo_mime=operation.logo_mime if operation.logo else None,
            phone=operation.service_phone or "", site=operation.service_site or "",
            hours=operation.service_hours or "", legal_name=operation.legal_name or "",
            cnpj=format_cnpj(operation.cnpj), reply_to=operation.reply_to or None,
        )

    @cached_property  # once per batch, not per message (frozen dataclass: cached_property writes __dict__)
    def logo_cid(self) -> str | None:
        if not self.logo:
            return None
        return f"logo-{hashlib.sha1(self.logo).hexdigest()[:16]}@preventivo"

    @property
    def logo_filename(self) -> str:
        return "logo.png" if self.logo_mime == "image/png" else "logo.jpg"

    def logo_base64(self) -> bytes:
        return _logo_base64(self.logo_cid, self.logo) if self.logo else b""

    def context(self) -> dict:
        return {
            "nome": self.name, "cor": self.color, "logo_cid": self.logo_cid or "",
            "telefone": self.phone, "site": self.site, "horario": self.hours,
            "razao_social": self.legal_name, "cnpj": self.cnpj,
        }
