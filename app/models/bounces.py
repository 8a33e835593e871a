"""Bounces and the suppression list: the bounce mailbox, each bounce read, the addresses never sent to again."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.secrets import EncryptedPassword
from app.models.types import UTCDateTime, utcnow

# BounceMailbox.security
MAILBOX_SECURITY_CHOICES = ("ssl", "starttls", "none")
MAILBOX_SECURITY_LABELS = {"ssl": "SSL/TLS (993)", "starttls": "STARTTLS (143)", "none": "Nenhuma (só rede local)"}
PROCESSED_FOLDER = "Preventivo/processados"

# Suppression.source
SOURCE_BOUNCE, SOURCE_COMPLAINT, SOURCE_MANUAL, SOURCE_IMPORT = "bounce", "complaint", "manual", "import"
SUPPRESSION_SOURCES = (SOURCE_BOUNCE, SOURCE_COMPLAINT, SOURCE_MANUAL, SOURCE_IMPORT)
SUPPRESSION_SOURCE_LABELS = {SOURCE_BOUNCE: "Devolução", SOURCE_COMPLAINT: "Reclamação", SOURCE_MANUAL: "Manual",
                             SOURCE_IMPORT: "Importação"}

# BounceEvent.kind
BOUNCE_HARD, BOUNCE_SOFT = "hard", "soft"


class BounceMailbox(EncryptedPassword, db.Model):
    """An IMAP mailbox that receives the bounces (the envelope sender's mailbox): one per operation or one shared
    (operation_id NULL)."""

    __tablename__ = "bounce_mailboxes"

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"), unique=True)
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(default=993)
    security: Mapped[str] = mapped_column(String(10), default="ssl")
    username: Mapped[str] = mapped_column(String(255), default="")
    password_encrypted: Mapped[str | None] = mapped_column(Text)
    folder: Mapped[str] = mapped_column(String(255), default="INBOX")
    # MAIL FROM (Return-Path) of the messages, so bounces land in this mailbox; empty: the operation's sender.
    envelope_sender: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(default=True)
    # Reachability: one alert per episode (unreachable_since set on the first failure, cleared by a good read).
    unreachable_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unreachable_reason: Mapped[str | None] = mapped_column(Text)
    polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    operation = relationship("Operation")

    def __str__(self) -> str:
        return f"{self.username}@{self.host}"


class Suppression(db.Model):
    """An address never sent to again ("Endereço bloqueado")."""

    __tablename__ = "suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # lower-case
    reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(10), default=SOURCE_MANUAL)
    since: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id", ondelete="SET NULL"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))

    @property
    def source_label(self) -> str:
        return SUPPRESSION_SOURCE_LABELS.get(self.source, self.source)


class BounceEvent(db.Model):
    """One bounce read from the mailbox, for one address: the soft-bounce count and reading twice change nothing."""

    __tablename__ = "bounce_events"
    __table_args__ = (UniqueConstraint("message_key", "email"), Index("ix_bounce_events_email_at", "email", "received_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    message_key: Mapped[str] = mapped_column(String(255))  # the bounce's own Message-ID (or a hash of it)
    email: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(4))  # hard | soft
    reason: Mapped[str] = mapped_column(Text, default="")
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
