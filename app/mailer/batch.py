"""One send batch: send its claimed deliveries over one SMTP connection and record each outcome at once.

`BatchSender.run` is the per-batch loop of a send job (app.mailer.dispatch.run_batch claims
the deliveries, stores their Message-IDs and loads them into `Item`s first). Exactly once,
as far as SMTP allows:
- a delivery is marked sent in its own commit right after the server accepts it (with the
  quota count and the campaign counters), guarded by the claim token;
- a quota or service fault never spends a recipient's attempts: the delivery stays in the
  batch and is sent through the operation's next service (`_move_on`);
- a batch that stops (`StopBatch`: campaign no longer sendable, no eligible service, service
  unreachable...) gives its unsent deliveries back (app.mailer.claims.release_claim).
Kept apart from the job so the hot loop, its prebuilt statements and its fault handling
read as one piece.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, text, update

from app import timeutil
from app.campaigns import counters
from app.extensions import db
from app.models import Campaign, Delivery, EmailService, ServiceUsage
from app.models.types import UTCDateTime
from app.models.campaigns import DELIVERY_FAILED, DELIVERY_PENDING, DELIVERY_SENDING, DELIVERY_SENT

from . import claims, quota, rotation
from .classify import AUTH, BROKEN, CONNECT, QUOTA, RECIPIENT, SmtpFault, classify_fault
from .message import BoletoData, MessageFactory, TemplateProblem
from .recorder import BackgroundRecorder
from .transport import SmtpTransport

log = logging.getLogger(__name__)

RESERVE_BLOCK = 20
CANCEL_CHECK_SECONDS = 0.5


_deliveries = Delivery.__table__
_usage = ServiceUsage.__table__
_MARK_SENT = (
    update(_deliveries)
    .where(_deliveries.c.id == bindparam("did"), _deliveries.c.claim_token == bindparam("tok"),
           _deliveries.c.status == DELIVERY_SENDING)
    .values(status=DELIVERY_SENT, sent_at=bindparam("at"), service_id=bindparam("sid"), claim_token=None,
            lease_until=None, last_error=None)
)
_CONFIRM_ONE = (
    update(_usage).where(_usage.c.service_id == bindparam("sid"), _usage.c.month == bindparam("mkey"))
    .values(sent=_usage.c.sent + 1, reserved=_usage.c.reserved - 1)
)

_campaigns = Campaign.__table__
_COUNT_SENT = (
    update(_campaigns).where(_campaigns.c.id == bindparam("cid"))
    .values(emails_sent=_campaigns.c.emails_sent + 1, emails_pending=_campaigns.c.emails_pending - 1)
)

# Same effect as _MARK_SENT + _CONFIRM_ONE + _COUNT_SENT (counters only when the mark happened).
_RECORD_SENT_PG = text("""
WITH marked AS (
    UPDATE deliveries SET status = 'sent', sent_at = :at, service_id = :sid, claim_token = NULL,
           lease_until = NULL, last_error = NULL
    WHERE id = :did AND claim_token = :tok AND status = 'sending'
    RETURNING campaign_id
), counted AS (  -- runs whatever the outer statement reads (PostgreSQL runs every data-modifying CTE)
    UPDATE service_usage SET sent = sent + 1, reserved = reserved - 1 WHERE service_id = :sid AND month = :mkey
)
UPDATE campaigns SET emails_sent = emails_sent + 1, emails_pending = emails_pending - 1
WHERE id = :cid AND EXISTS (SELECT 1 FROM marked)
""").bindparams(bindparam("at", type_=UTCDateTime()))


@dataclass
class Item:
    id: int
    client_id: int
    email: str
    attempts: int
    message_id: str


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    released: int = 0
    stopped: str | None = None
    services: list[str] = field(default_factory=list)


class StopBatch(Exception):
    def __init__(self, reason: str, *, retry_at: datetime | None = None, error: str | None = None):
        super().__init__(reason)
        self.reason, self.retry_at, self.error = reason, retry_at, error


class BatchSender:
    def __init__(self, campaign: Campaign, token: str, items: list[Item], boletos: dict[int, list[BoletoData]],
                 names: dict[int, str | None], sender: str, service: EmailService):
        self.campaign_id = campaign.id
        self.operation_id = campaign.operation_id
        self.token = token
        self.items = items
        self.boletos = boletos
        self.names = names
        self.sender = sender
        self.factory = MessageFactory.for_campaign(campaign, sender)
        self.max_attempts = int(claims.setting("SEND_MAX_ATTEMPTS", 5))
        self.one_statement = db.engine.dialect.name == "postgresql"
        # PostgreSQL: record acceptances on a second connection while sending on (app/mailer/recorder.py).
        # SQLite keeps one writer, in line.
        self.recorder = (BackgroundRecorder(db.engine, _RECORD_SENT_PG)
                         if self.one_statement and claims.setting("SEND_RECORD_IN_BACKGROUND", True) else None)
        self.lease_seconds = claims.lease_seconds()
        self.renew_every = claims.renew_every(self.lease_seconds)
        self.result = BatchResult(claimed=len(items))
        self.service = service
        self.transport: SmtpTransport | None = None
        self.month = timeutil.month_key(claims.now())
        self.slots = 0
        self._checked_at = time.monotonic()
        self._renewed_at = time.monotonic()
        self._use(service)

    # --- service switching ---
    def _use(self, service: EmailService) -> None:
        self._close_transport()
        self.service = service
        self.service_id = service.id
        self.transport = SmtpTransport.for_service(service)
        if service.name not in self.result.services:
            self.result.services.append(service.name)
        db.session.execute(
            update(Delivery).where(Delivery.claim_token == self.token, Delivery.status == DELIVERY_SENDING)
            .values(service_id=service.id).execution_options(synchronize_session=False)
        )
        db.session.commit()

    def _close_transport(self) -> None:
        if self.transport is not None:
            self.transport.close()
            self.transport = None

    def _give_back_slots(self) -> None:
        if self.slots:
            quota.release(self.service_id, self.month, self.slots)
            db.session.commit()
            self.slots = 0

    def _move_on(self, fault_kind: str, reason: str) -> None:
        """The current service cannot send: rotate (globally) and continue with the operation's new service."""
        self._give_back_slots()
        self._close_transport()
        failed = self.service
        if fault_kind == QUOTA:
            rotation.service_exhausted(failed, reason, by_reply=True, campaign_id=self.campaign_id)
        elif fault_kind == BROKEN:
            rotation.service_broken(failed, reason, campaign_id=self.campaign_id)
        else:  # counter reached the quota
            rotation.service_exhausted(failed, reason, by_reply=False, campaign_id=self.campaign_id)
        nxt = rotation.ensure_service(self.operation_id, self.campaign_id)
        if nxt is None:
            raise StopBatch("no eligible service")
        self._use(nxt)

    def _ensure_slot(self, remaining: int) -> None:
        waited = 0.0
        while self.slots == 0:
            granted = quota.reserve(self.service, min(remaining, RESERVE_BLOCK), self.month)
            if granted:
                self.slots = granted
                return
            usage = quota.usage(self.service, self.month)
            if usage.sent >= usage.quota or usage.exhausted:
                self._move_on("counter", usage.exhausted_reason or f"Cota mensal atingida ({usage.sent}/{usage.quota})")
                continue
            # Every free slot is held by other workers' messages in flight: they will confirm or release.
            if waited >= 10:
                raise StopBatch("quota slots busy", retry_at=claims.now() + timedelta(seconds=5))
            time.sleep(0.1)
            waited += 0.1

    # --- housekeeping ---
    def _check_campaign(self) -> None:
        if time.monotonic() - self._checked_at < CANCEL_CHECK_SECONDS:
            return
        self._checked_at = time.monotonic()
        status = db.session.execute(select(Campaign.status).where(Campaign.id == self.campaign_id)).scalar()
        if status not in claims.SENDABLE_STATUSES:
            raise StopBatch(f"campaign {status}")
        if time.monotonic() - self._renewed_at >= self.renew_every:
            self._renewed_at = time.monotonic()
            self._record_accepted()  # no write of ours while the recorder holds the rows
            db.session.execute(
                update(Delivery).where(Delivery.claim_token == self.token, Delivery.status == DELIVERY_SENDING)
                .values(lease_until=claims.now() + timedelta(seconds=self.lease_seconds))
                .execution_options(synchronize_session=False)
            )
            db.session.commit()

    # --- outcomes (each its own commit) ---
    def _record_params(self) -> dict:
        item, service_id, month = self._accepted
        self._accepted = None
        return {"did": item.id, "tok": self.token, "at": claims.now(), "sid": service_id, "mkey": month,
                "cid": self.campaign_id}

    def _submit_accepted(self) -> None:
        """With the background recorder: start recording the last acceptance, without waiting."""
        if self.recorder is not None and self._accepted is not None:
            self.recorder.submit(self._record_params())

    def _record_accepted(self) -> None:
        """Record the last accepted message (delivery sent, quota confirmed, counters) in one commit.

        Called as soon as possible after acceptance (in line: while the server works on the next
        MAIL FROM; in the background: before the next body goes out, so the server never holds two
        accepted messages we have not recorded) and before anything else writes to the database.
        Returns once the record is committed.
        """
        if self.recorder is not None:
            self._submit_accepted()
            if self.recorder.wait():
                self.result.sent += 1
            return
        if self._accepted is None:
            return
        # Hot path: prebuilt Core statements, ids as plain ints (an ORM attribute would reload after a commit).
        # _COUNT_SENT has the effect of counters.bump(emails_sent=1, emails_pending=-1) without rebuilding it.
        conn = db.session.connection()
        params = self._record_params()
        if self.one_statement:
            # PostgreSQL: the three updates in one statement, one round trip (each costs a backend wake-up).
            conn.execute(_RECORD_SENT_PG, params)
        else:
            result = conn.execute(_MARK_SENT, params)
            conn.execute(_CONFIRM_ONE, params)
            if result.rowcount == 1:
                conn.execute(_COUNT_SENT, params)
        db.session.commit()
        self.result.sent += 1

    def _mark_failed(self, item: Item, reason: str, spend_attempt: bool = True) -> None:
        self._record_accepted()
        result = db.session.execute(
            update(Delivery).where(Delivery.id == item.id, Delivery.claim_token == self.token,
                                   Delivery.status == DELIVERY_SENDING)
            .values(status=DELIVERY_FAILED, attempts=item.attempts + (1 if spend_attempt else 0), last_error=reason[:1000],
                    claim_token=None, lease_until=None).execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            counters.bump(self.campaign_id, emails_failed=1, emails_pending=-1)
        db.session.commit()
        self.result.failed += 1

    def _mark_retry(self, item: Item, reason: str) -> None:
        self._record_accepted()
        attempts = item.attempts + 1
        if attempts >= self.max_attempts:
            item.attempts = attempts - 1
            self._mark_failed(item, f"{reason} (após {attempts} tentativas)")
            return
        delay = claims.backoff_seconds(attempts)
        db.session.execute(
            update(Delivery).where(Delivery.id == item.id, Delivery.claim_token == self.token,
                                   Delivery.status == DELIVERY_SENDING)
            .values(status=DELIVERY_PENDING, attempts=attempts, last_error=reason[:1000],
                    next_attempt_at=claims.now() + timedelta(seconds=delay), claim_token=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        self.result.retried += 1

    # --- the loop ---
    def _build(self, index: int) -> bytes | None:
        """The message of items[index]; None when it cannot be built (the delivery is failed)."""
        item = self.items[index]
        boletos = self.boletos.get(item.client_id) or []
        if not boletos:
            self._mark_failed(item, "Nenhum boleto selecionado para este cliente")
            return None
        try:
            return self.factory.build(recipient=item.email, client_name=self.names.get(item.client_id),
                                      boletos=boletos, message_id=item.message_id)
        except TemplateProblem as exc:
            self._mark_failed(item, str(exc), spend_attempt=False)
            return None

    def _prepare(self, index: int) -> None:
        """Build the next message while the server processes the current one."""
        if index < len(self.items) and index not in self._prepared:
            item = self.items[index]
            if self.boletos.get(item.client_id):
                try:
                    self._prepared[index] = self.factory.build(
                        recipient=item.email, client_name=self.names.get(item.client_id),
                        boletos=self.boletos[item.client_id], message_id=item.message_id)
                except TemplateProblem:
                    pass  # the main loop builds it again and records the failure

    def run(self) -> BatchResult:
        self._accepted = None
        self._prepared: dict[int, bytes] = {}
        try:
            index = 0
            while index < len(self.items):
                item = self.items[index]
                self._check_campaign()
                data = self._prepared.pop(index, None) or self._build(index)
                if data is None:
                    index += 1
                    continue
                if self.slots == 0:
                    self._record_accepted()  # the quota must see every acceptance before reserving
                self._ensure_slot(len(self.items) - index)
                try:
                    if self.recorder is None:
                        self.transport.send(self.sender, item.email, data, while_mail=self._record_accepted,
                                            while_data=lambda nxt=index + 1: self._prepare(nxt))
                    else:  # the previous record commits during MAIL, RCPT and DATA; on disk before this body
                        self.transport.send(self.sender, item.email, data, before_body=self._record_accepted,
                                            while_data=lambda nxt=index + 1: self._prepare(nxt))
                except SmtpFault as fault:
                    self._record_accepted()
                    kind = classify_fault(fault)
                    if kind in (QUOTA, BROKEN):
                        self._prepared[index] = data
                        self._move_on(kind, str(fault))
                        continue  # same item, next service, no attempt spent
                    if fault.stage in (CONNECT, AUTH):
                        # The service is unreachable for now: a service fault, not the recipient's.
                        raise StopBatch("service unreachable",
                                        retry_at=claims.now() + timedelta(seconds=claims.backoff_seconds(1)),
                                        error=str(fault))
                    if kind == RECIPIENT:
                        self._mark_failed(item, str(fault))
                    else:
                        self._mark_retry(item, str(fault))
                    index += 1
                    continue
                self.slots -= 1
                self._accepted = (item, self.service_id, self.month)
                self._submit_accepted()
                index += 1
            self._record_accepted()
            self._give_back_slots()
            usage = quota.usage(self.service, self.month)
            if usage.sent >= usage.quota:
                # Move on now rather than at the next send: the panel and the admins see it at once.
                rotation.service_exhausted(self.service, f"Cota mensal atingida ({usage.sent}/{usage.quota})",
                                           by_reply=False, campaign_id=self.campaign_id)
        except StopBatch as stop:
            self._record_accepted()
            self.result.stopped = stop.reason
            self._give_back_slots()
            self.result.released = claims.release_claim(self.token, next_attempt_at=stop.retry_at,
                                                        last_error=stop.error)
            log.info("campaign=%s batch stopped: %s (released %s)", self.campaign_id, stop.reason, self.result.released)
        finally:
            try:
                self._record_accepted()
            finally:
                self._give_back_slots()
                self._close_transport()
                self.factory.close()
                if self.recorder is not None:
                    self.recorder.close()
                # Anything still claimed (an unexpected error) goes back at once.
                self.result.released += claims.release_claim(self.token)
        return self.result
