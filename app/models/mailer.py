"""SMTP services, their monthly usage, operation bindings, rotations and alerts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.secrets import EncryptedPassword
from app.models.types import UTCDateTime, utcnow

SECURITY_CHOICES = ("starttls", "ssl", "none")
SECURITY_LABELS = {"starttls": "STARTTLS", "ssl": "SSL/TLS", "none": "Nenhuma"}

# EmailService.health
HEALTH_OK, HEALTH_UNREACHABLE, HEALTH_BROKEN = "ok", "unreachable", "broken"
HEALTH_LABELS = {HEALTH_OK: "ok", HEALTH_UNREACHABLE: "sem conexão", HEALTH_BROKEN: "com defeito"}

# Rotation.kind: the system moved the operation (quota, defect) or an admin did.
ROTATION_AUTOMATIC = "automatic"
ROTATION_MANUAL = "manual"
ROTATION_KIND_LABELS = {ROTATION_AUTOMATIC: "Automática", ROTATION_MANUAL: "Manual"}


class EmailService(EncryptedPassword, db.Model):
    """One SMTP account with a monthly quota (a "Serviço de envio")."""

    __tablename__ = "email_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(default=587)
    security: Mapped[str] = mapped_column(String(10), default="starttls")
    username: Mapped[str] = mapped_column(String(255), default="")
    password_encrypted: Mapped[str | None] = mapped_column(Text)
    monthly_quota: Mapped[int] = mapped_column(default=1000)
    # SMTP sessions open at once across every worker (a Redis semaphore), and an optional cap on messages
    # per minute across every worker (0 = none; app.mailer.throttle).
    max_connections: Mapped[int] = mapped_column(default=10)
    max_per_minute: Mapped[int] = mapped_column(default=0)
    rotation_order: Mapped[int] = mapped_column(default=100)
    in_rotation: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Newline- or comma-separated; empty means the service may send as anyone.
    allowed_senders: Mapped[str] = mapped_column(Text, default="")
    broken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    broken_reason: Mapped[str | None] = mapped_column(Text)
    # Health (app.mailer.health): consecutive connection failures, counted across workers; past
    # SERVICE_DOWN_AFTER the service is "sem conexão" until a probe gets an answer.
    connect_failures: Mapped[int] = mapped_column(default=0)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unreachable_reason: Mapped[str | None] = mapped_column(Text)
    probed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # History (usage, deliveries, rotations, alerts) refers to a service: the database refuses to delete one
    # that has any (ondelete RESTRICT), and the panel and the API say why first.
    usages: Mapped[list["ServiceUsage"]] = relationship(back_populates="service", passive_deletes="all")

    @property
    def health(self) -> str:
        """ok | unreachable ("sem conexão") | broken ("com defeito")."""
        if self.broken_at is not None:
            return HEALTH_BROKEN
        if self.unreachable_at is not None:
            return HEALTH_UNREACHABLE
        return HEALTH_OK

    @property
    def health_reason(self) -> str | None:
        return {HEALTH_BROKEN: self.broken_reason, HEALTH_UNREACHABLE: self.unreachable_reason}.get(self.health)

    @property
    def health_since(self) -> datetime | None:
        return {HEALTH_BROKEN: self.broken_at, HEALTH_UNREACHABLE: self.unreachable_at}.get(self.health)

    @property
    def health_label(self) -> str:
        return HEALTH_LABELS[self.health]

    @property
    def allowed_senders_list(self) -> list[str]:
        raw = (self.allowed_senders or "").replace(",", "\n").replace(";", "\n")
        return [s.strip().lower() for s in raw.split("\n") if s.strip()]

    @allowed_senders_list.setter
    def allowed_senders_list(self, values: list[str]) -> None:
        self.allowed_senders = "\n".join(v.strip().lower() for v in values if v and v.strip())

    def allows_sender(self, sender: str) -> bool:
        allowed = self.allowed_senders_list
        return not allowed or (sender or "").strip().lower() in allowed

    def forget_defect_if_reconfigured(self, new_password: bool) -> None:
        """Clear the broken mark when what broke it may have been fixed: new credentials or a new
        host, port, encryption or account (call after the new values are set, before the flush)."""

        if self.broken_at is None:
            return
        state = inspect(self)
        reconfigured = any(state.attrs[name].history.has_changes() for name in ("host", "port", "security", "username"))
        if new_password or reconfigured:
            self.broken_at = None
            self.broken_reason = None

    def __str__(self) -> str:
        return self.name


class ServiceUsage(db.Model):
    """Messages a service had accepted in one calendar month (in TIMEZONE)."""

    __tablename__ = "service_usage"
    __table_args__ = (UniqueConstraint("service_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("email_services.id", ondelete="RESTRICT"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # 'YYYY-MM'
    sent: Mapped[int] = mapped_column(default=0)
    # Slots taken by workers for messages in flight (reserve-then-confirm): sent + reserved never
    # exceeds the quota, so parallel workers cannot overshoot it.
    reserved: Mapped[int] = mapped_column(default=0)
    # Set when the server answered with a quota reply before the count reached the quota.
    exhausted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    exhausted_reason: Mapped[str | None] = mapped_column(Text)
    # The quota in force when the server said "quota": raising the quota above it lifts the exhaustion.
    exhausted_quota: Mapped[int | None] = mapped_column()

    service: Mapped[EmailService] = relationship(back_populates="usages")


class OperationBinding(db.Model):
    """Which sender address and which service an operation sends with now."""

    __tablename__ = "operation_bindings"

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"), unique=True)
    sender_email: Mapped[str] = mapped_column(String(254))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("email_services.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set while no eligible service exists for the operation (its campaigns are paused); one alert per stall.
    stalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stalled_reason: Mapped[str | None] = mapped_column(Text)

    operation = relationship("Operation")
    service = relationship("EmailService")
    updated_by = relationship("User")


class Rotation(db.Model):
    """One change of an operation's service: automatic (quota, broken) or manual."""

    __tablename__ = "rotations"

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"), index=True)
    from_service_id: Mapped[int | None] = mapped_column(ForeignKey("email_services.id", ondelete="RESTRICT"))
    to_service_id: Mapped[int | None] = mapped_column(ForeignKey("email_services.id", ondelete="RESTRICT"))
    # The names as they were at the move: history reads the same whatever happens to the services later.
    from_service_name: Mapped[str | None] = mapped_column(String(80))
    to_service_name: Mapped[str | None] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))  # automatic | manual
    reason: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    operation = relationship("Operation")
    from_service = relationship("EmailService", foreign_keys=[from_service_id])
    to_service = relationship("EmailService", foreign_keys=[to_service_id])
    user = relationship("User")


class Alert(db.Model):
    """An email the system sent to the admins (or tried to), kept as history."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)  # quota_exhausted, binding_changed, ...
    subject: Mapped[str] = mapped_column(String(255))
    body_html: Mapped[str] = mapped_column(Text, default="")
    recipients: Mapped[str] = mapped_column(Text, default="")
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id", ondelete="SET NULL"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("email_services.id", ondelete="RESTRICT"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    # Makes "one alert per exhaustion" a database guarantee, e.g. 'quota:3:2026-11'.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    sent_ok: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class CapturedEmail(db.Model):
    """A message received by the local mail catcher (development and demo only)."""

    __tablename__ = "captured_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    mail_from: Mapped[str] = mapped_column(String(254), default="")
    rcpt_tos: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str | None] = mapped_column(String(255), index=True)
    auth_user: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(default=0)
    raw: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
