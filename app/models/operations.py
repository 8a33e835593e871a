"""Creditor operations (Claro, NET, Sem Parar) and their campaign types."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow
from app.security.crypto import decrypt, encrypt

DEFAULT_DAY_OFFSETS = "0,7"


class Operation(db.Model):
    __tablename__ = "operations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # CLARO, NET, SEMPARAR
    name: Mapped[str] = mapped_column(String(80))
    provider_url: Mapped[str | None] = mapped_column(String(500))
    provider_token_encrypted: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    # When a relay limits the rate ("too much mail"), wait for it (the same month's quota) or move the
    # operation to the next eligible service.
    rotate_when_throttled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # --- branding: what the debtor's email shows (all optional; validated in app/mailer/branding.py) ---
    display_name: Mapped[str | None] = mapped_column(String(80))  # "Claro" in the subject and greeting
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)  # PNG or JPEG, at most BRAND_LOGO_MAX_BYTES
    logo_mime: Mapped[str | None] = mapped_column(String(20))  # image/png or image/jpeg
    brand_color: Mapped[str | None] = mapped_column(String(7))  # #rrggbb
    service_phone: Mapped[str | None] = mapped_column(String(40))
    service_site: Mapped[str | None] = mapped_column(String(200))
    service_hours: Mapped[str | None] = mapped_column(String(120))
    legal_name: Mapped[str | None] = mapped_column(String(160))
    cnpj: Mapped[str | None] = mapped_column(String(14))  # digits only
    reply_to: Mapped[str | None] = mapped_column(String(254))

    campaign_types: Mapped[list["CampaignType"]] = relationship(back_populates="operation")

    # --- provider settings: the environment wins over the stored values ---
    @property
    def env_provider(self) -> dict:
        return current_app.config["PROVIDERS"].get(self.code, {}) or {}

    @property
    def provider_url_from_env(self) -> bool:
        return bool(self.env_provider.get("url"))

    @property
    def provider_token_from_env(self) -> bool:
        return bool(self.env_provider.get("token"))

    @property
    def effective_provider_url(self) -> str | None:
        return self.env_provider.get("url") or self.provider_url

    @property
    def effective_provider_token(self) -> str | None:
        return self.env_provider.get("token") or decrypt(self.provider_token_encrypted)

    def set_provider_token(self, raw: str | None) -> None:
        self.provider_token_encrypted = encrypt(raw) if raw else None

    @property
    def public_name(self) -> str:
        """The name the debtor reads: the display name, else the operation's name."""
        return (self.display_name or "").strip() or self.name

    def __str__(self) -> str:
        return self.name


class CampaignType(db.Model):
    """A kind of campaign of one operation: owns the email templates and the day offsets."""

    __tablename__ = "campaign_types"
    __table_args__ = (UniqueConstraint("operation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    day_offsets: Mapped[str] = mapped_column(String(60), default=DEFAULT_DAY_OFFSETS)
    subject_template: Mapped[str] = mapped_column(Text, default="")
    body_html_template: Mapped[str] = mapped_column(Text, default="")
    body_text_template: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    operation: Mapped[Operation] = relationship(back_populates="campaign_types")

    @property
    def offsets(self) -> list[int]:
        return parse_offsets(self.day_offsets)

    def __str__(self) -> str:
        return self.name


def parse_offsets(text: str | None) -> list[int]:
    """'0, 7' -> [0, 7]; raises ValueError with a pt-BR message on bad input."""
    text = (text or "").strip() or DEFAULT_DAY_OFFSETS
    values: list[int] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            value = int(part)
        except ValueError as exc:
            raise ValueError(f"Deslocamento de dias inválido: {part!r} (use números separados por vírgula)") from exc
        if not -60 <= value <= 60:
            raise ValueError(f"Deslocamento de dias fora do intervalo -60..60: {value}")
        if value not in values:
            values.append(value)
    if not values:
        raise ValueError("Informe ao menos um deslocamento de dias")
    return sorted(values)
