"""Campaigns and what a campaign produces: clients, collection chunks, deliveries (agreements and boletos:
models/agreements.py)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

# --- campaign status -------------------------------------------------------
SCHEDULED = "scheduled"
COLLECTING = "collecting"
SENDING = "sending"
PAUSED = "paused"
COMPLETED = "completed"
CANCELED = "canceled"
FAILED = "failed"
CAMPAIGN_STATUSES = (SCHEDULED, COLLECTING, SENDING, PAUSED, COMPLETED, CANCELED, FAILED)
RUNNING_STATUSES = (COLLECTING, SENDING, PAUSED)
FINAL_STATUSES = (COMPLETED, CANCELED, FAILED)
CAMPAIGN_STATUS_LABELS = {
    SCHEDULED: "Agendada",
    COLLECTING: "Coletando",
    SENDING: "Enviando",
    PAUSED: "Pausada",
    COMPLETED: "Concluída",
    CANCELED: "Cancelada",
    FAILED: "Falhou",
}

# --- client outcome (set by collection, refined by sending) ------------------
OUTCOME_PENDING = "pending"
OUTCOME_NO_AGREEMENT = "no_agreement"
OUTCOME_NOTHING_DUE = "nothing_due"
OUTCOME_READY = "ready"
OUTCOME_API_ERROR = "api_error"
OUTCOME_CONFIG_ERROR = "config_error"
CLIENT_OUTCOMES = (
    OUTCOME_PENDING,
    OUTCOME_NO_AGREEMENT,
    OUTCOME_NOTHING_DUE,
    OUTCOME_READY,
    OUTCOME_API_ERROR,
    OUTCOME_CONFIG_ERROR,
)
CLIENT_OUTCOME_LABELS = {
    OUTCOME_PENDING: "Aguardando coleta",
    OUTCOME_NO_AGREEMENT: "Sem acordo",
    OUTCOME_NOTHING_DUE: "Nada a vencer",
    OUTCOME_READY: "Com boletos",
    OUTCOME_API_ERROR: "Erro na API",
    OUTCOME_CONFIG_ERROR: "Erro de configuração",
}

# --- delivery status ---------------------------------------------------------
DELIVERY_PENDING = "pending"
DELIVERY_SENDING = "sending"  # claimed by a worker, lease running
DELIVERY_SENT = "sent"
DELIVERY_FAILED = "failed"
DELIVERY_BOUNCED = "bounced"  # sent, then a hard bounce came back (app.bounces)
DELIVERY_SUPPRESSED = "suppressed"  # withheld: the address is on the suppression list, nothing sent, no quota
DELIVERY_STATUSES = (DELIVERY_PENDING, DELIVERY_SENDING, DELIVERY_SENT, DELIVERY_FAILED, DELIVERY_BOUNCED,
                     DELIVERY_SUPPRESSED)
DELIVERY_STATUS_LABELS = {
    DELIVERY_PENDING: "Pendente",
    DELIVERY_SENDING: "Enviando",
    DELIVERY_SENT: "Enviado",
    DELIVERY_FAILED: "Falhou",
    DELIVERY_BOUNCED: "Devolvido",
    DELIVERY_SUPPRESSED: "Bloqueado",
}

# --- collection chunk status -------------------------------------------------
CHUNK_PENDING = "pending"
CHUNK_DONE = "done"


class Campaign(db.Model):
    """One upload and one scheduled send moment ("Campanha preventiva").

    The counters are kept up to date as work happens (reports never recount).
    """

    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_status_scheduled_at", "status", "scheduled_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"), index=True)
    campaign_type_id: Mapped[int] = mapped_column(ForeignKey("campaign_types.id"), index=True)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # D: the local date of scheduled_at in TIMEZONE, fixed when the campaign is (re)scheduled.
    campaign_day: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default=SCHEDULED, index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    source_filename: Mapped[str] = mapped_column(String(255), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    canceled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    personal_data_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Order-independent hash of the normalised client lines (CPF + emails): the same file twice is a duplicate.
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # The stall watchdog (app.campaigns.watchdog): what progress looked like and since when it has not moved.
    progress_mark: Mapped[str | None] = mapped_column(String(200))
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stall_reason: Mapped[str | None] = mapped_column(Text)

    # Counters (docs/architecture.md, "Glossary": Registros, Acordos, Emails enviados, ...).
    records: Mapped[int] = mapped_column(default=0)  # valid distinct CPFs
    emails_total: Mapped[int] = mapped_column(default=0)  # distinct addresses imported
    lines_rejected: Mapped[int] = mapped_column(default=0)
    agreements: Mapped[int] = mapped_column(default=0)
    boletos_total: Mapped[int] = mapped_column(default=0)
    boletos_selected: Mapped[int] = mapped_column(default=0)
    boletos_invalid: Mapped[int] = mapped_column(default=0)
    clients_collected: Mapped[int] = mapped_column(default=0)
    clients_no_agreement: Mapped[int] = mapped_column(default=0)
    clients_nothing_due: Mapped[int] = mapped_column(default=0)
    clients_ready: Mapped[int] = mapped_column(default=0)
    clients_api_error: Mapped[int] = mapped_column(default=0)
    clients_config_error: Mapped[int] = mapped_column(default=0)
    emails_sent: Mapped[int] = mapped_column(default=0)
    emails_failed: Mapped[int] = mapped_column(default=0)
    emails_pending: Mapped[int] = mapped_column(default=0)
    emails_bounced: Mapped[int] = mapped_column(default=0)  # sent, then bounced (moved out of emails_sent)
    emails_suppressed: Mapped[int] = mapped_column(default=0)  # withheld: the address is suppressed

    operation = relationship("Operation")
    campaign_type = relationship("CampaignType")
    created_by = relationship("User", foreign_keys=[created_by_id])

    @property
    def status_label(self) -> str:
        return CAMPAIGN_STATUS_LABELS.get(self.status, self.status)

    def __str__(self) -> str:
        return f"Campanha #{self.id}"


def bump_counters(campaign_id: int, **deltas: int) -> None:
    """`UPDATE campaigns SET x = x + dx ...` in the caller's transaction (caller commits).

    Counters change atomically where the work happens; reports never recount.
    """
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return
    values = {name: getattr(Campaign, name) + delta for name, delta in deltas.items()}
    db.session.execute(
        update(Campaign).where(Campaign.id == campaign_id).values(**values).execution_options(synchronize_session=False)
    )


class ImportIssue(db.Model):
    """A refused line or a warning of a campaign's import, kept for the result page."""

    __tablename__ = "import_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # rejected | warning
    line: Mapped[int | None] = mapped_column()
    column: Mapped[str | None] = mapped_column(String(60))
    value: Mapped[str | None] = mapped_column(Text)  # CPFs already masked
    reason: Mapped[str] = mapped_column(Text)


class CollectionChunk(db.Model):
    """A slice of a campaign's clients collected by one RQ job."""

    __tablename__ = "collection_chunks"
    __table_args__ = (UniqueConstraint("campaign_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default=CHUNK_PENDING)
    job_id: Mapped[str | None] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CampaignClient(db.Model):
    """One CPF of a campaign with its 1-10 distinct emails ("Registro")."""

    __tablename__ = "campaign_clients"
    __table_args__ = (
        UniqueConstraint("campaign_id", "cpf"),
        Index("ix_campaign_clients_campaign_outcome", "campaign_id", "outcome"),
        Index("ix_campaign_clients_campaign_chunk", "campaign_id", "chunk_seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    cpf: Mapped[str | None] = mapped_column(String(11))  # NULL once purged (LGPD)
    emails: Mapped[str] = mapped_column(Text, default="")  # newline-separated, lower-case
    name: Mapped[str | None] = mapped_column(String(255))
    line: Mapped[int | None] = mapped_column()  # first spreadsheet line of this CPF
    chunk_seq: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str] = mapped_column(String(20), default=OUTCOME_PENDING)
    error: Mapped[str | None] = mapped_column(Text)
    collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def email_list(self) -> list[str]:
        return [e for e in (self.emails or "").split("\n") if e]

    @property
    def outcome_label(self) -> str:
        return CLIENT_OUTCOME_LABELS.get(self.outcome, self.outcome)


class Delivery(db.Model):
    """One message to one address ("Envio"): the outbox row."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("client_id", "email"),
        Index("ix_deliveries_campaign_status", "campaign_id", "status"),
        Index("ix_deliveries_status_next_attempt", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("campaign_clients.id", ondelete="CASCADE"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))  # NULL once purged (LGPD)
    status: Mapped[str] = mapped_column(String(10), default=DELIVERY_PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(40))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    service_id: Mapped[int | None] = mapped_column(ForeignKey("email_services.id", ondelete="RESTRICT"))
    message_id: Mapped[str | None] = mapped_column(String(255), index=True)  # bounces are matched by it
    last_error: Mapped[str | None] = mapped_column(Text)
    # What happened beside the send, e.g. the creditor's PDF not fetched and the boleto drawn instead (why).
    note: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Bounces (app.bounces): the last bounce's reason and moment, and how many soft (4.x.x) ones came back.
    bounce_reason: Mapped[str | None] = mapped_column(Text)
    bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    soft_bounces: Mapped[int] = mapped_column(default=0)

    client = relationship("CampaignClient")
    service = relationship("EmailService")

    @property
    def status_label(self) -> str:
        return DELIVERY_STATUS_LABELS.get(self.status, self.status)
