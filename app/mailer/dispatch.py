"""Sending a campaign's deliveries: claim a batch, send over one connection, record each acceptance.

Exactly once, as far as SMTP allows:
- a delivery is claimed before it is sent (claim token + lease; `FOR UPDATE SKIP LOCKED`
  on PostgreSQL, a guarded token UPDATE on SQLite);
- its Message-ID is stored before the message leaves;
- it is marked sent in its own commit right after the server accepts it (with the quota
  count and the campaign counters), guarded by the claim token;
- expired leases (a dead worker) go back to pending: the message in flight then is the
  only possible duplicate.
A quota or service fault never spends a recipient's attempts: the delivery goes back to
the batch and is sent through the next service.
"""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, or_, select, text, update

from app import timeutil
from app.campaigns import counters
from app.extensions import db
from app.models import Agreement, Boleto, Campaign, CampaignClient, Delivery, EmailService, ServiceUsage
from app.models.types import UTCDateTime
from app.models.campaigns import (COLLECTING, DELIVERY_FAILED, DELIVERY_PENDING, DELIVERY_SENDING,
                                  DELIVERY_SENT, SENDING)

from . import quota, rotation
from .classify import AUTH, BROKEN, CONNECT, QUOTA, RECIPIENT, SmtpFault, classify_fault
from .message import BoletoData, MessageFactory, TemplateProblem, new_message_id
from .transport import SmtpTransport

log = logging.getLogger(__name__)

SENDABLE_STATUSES = (COLLECTING, SENDING)
RESERVE_BLOCK = 20
CANCEL_CHECK_SECONDS = 0.5
LEASE_RENEW_SECONDS = 60  # at most; a short lease is renewed three times per lease


def now() -> datetime:
    """The clock (tests move it)."""
    return timeutil.now_utc()


def _setting(name: str, default):
    return current_app.config.get(name, default)


def lease_seconds() -> int:
    return max(1, int(_setting("SEND_LEASE_SECONDS", 600)))


def renew_every(lease: int) -> float:
    """How often a live batch renews its lease: well before it could expire, whatever its length."""
    return min(LEASE_RENEW_SECONDS, lease / 3)


def backoff_seconds(attempts: int) -> float:
    """The wait before the next try after `attempts` transient failures (SEND_BACKOFF_SECONDS; the last repeats).
    Default: 5 attempts over about 30 minutes."""
    delays = tuple(_setting("SEND_BACKOFF_SECONDS", (60, 240, 600, 900))) or (60,)
    return float(delays[min(max(attempts, 1) - 1, len(delays) - 1)])


# --- enqueueing ---------------------------------------------------------------------------------
def enqueue_sending(campaign_id: int) -> None:
    """Enqueue the send jobs for the campaign's pending deliveries (idempotent: fixed job ids per slot)."""
    from workers.tasks import send_batch

    for slot in range(max(1, int(_setting("SEND_PARALLEL_JOBS", 2)))):
        send_batch.delay(campaign_id, job_id=f"send-{campaign_id}-{slot}")


def _enqueue_next(campaign_id: int) -> None:
    from workers.tasks import send_batch

    send_batch.delay(campaign_id)


# --- claims ---------------------------------------------------------------------------------------
def _due_clause(moment: datetime):
    return or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= moment)


def claim(campaign_id: int, limit: int, lease_seconds: int) -> tuple[str, list[int]]:
    """Claim up to `limit` due pending deliveries; returns (token, ids). Commits."""
    token = uuid.uuid4().hex
    moment = now()
    candidates = (
        select(Delivery.id)
        .where(Delivery.campaign_id == campaign_id, Delivery.status == DELIVERY_PENDING, _due_clause(moment))
        .order_by(Delivery.id).limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises writers and ignores it
        .scalar_subquery()
    )
    db.session.execute(
        update(Delivery)
        .where(Delivery.id.in_(candidates), Delivery.status == DELIVERY_PENDING)
        .values(status=DELIVERY_SENDING, claim_token=token, lease_until=moment + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    ids = db.session.execute(
        select(Delivery.id).where(Delivery.claim_token == token, Delivery.status == DELIVERY_SENDING).order_by(Delivery.id)
    ).scalars().all()
    return token, list(ids)


def release_claim(token: str, ids: list[int] | None = None, *, next_attempt_at: datetime | None = None,
                  last_error: str | None = None) -> int:
    """Put still-claimed deliveries back to pending (no attempt spent). Commits."""
    values = {"status": DELIVERY_PENDING, "claim_token": None, "lease_until": None}
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    if last_error is not None:
        values["last_error"] = last_error[:1000]
    stmt = update(Delivery).where(Delivery.claim_token == token, Delivery.status == DELIVERY_SENDING)
    if ids is not None:
        stmt = stmt.where(Delivery.id.in_(ids))
    result = db.session.execute(stmt.values(**values).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount or 0


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


# --- the batch ------------------------------------------------------------------------------------
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
        self.max_attempts = int(_setting("SEND_MAX_ATTEMPTS", 5))
        self.one_statement = db.engine.dialect.name == "postgresql"
        self.lease_seconds = lease_seconds()
        self.renew_every = renew_every(self.lease_seconds)
        self.result = BatchResult(claimed=len(items))
        self.service = service
        self.transport: SmtpTransport | None = None
        self.month = timeutil.month_key(now())
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
                raise StopBatch("quota slots busy", retry_at=now() + timedelta(seconds=5))
            time.sleep(0.1)
            waited += 0.1

    # --- housekeeping ---
    def _check_campaign(self) -> None:
        if time.monotonic() - self._checked_at < CANCEL_CHECK_SECONDS:
            return
        self._checked_at = time.monotonic()
        status = db.session.execute(select(Campaign.status).where(Campaign.id == self.campaign_id)).scalar()
        if status not in SENDABLE_STATUSES:
            raise StopBatch(f"campaign {status}")
        if time.monotonic() - self._renewed_at >= self.renew_every:
            self._renewed_at = time.monotonic()
            db.session.execute(
                update(Delivery).where(Delivery.claim_token == self.token, Delivery.status == DELIVERY_SENDING)
                .values(lease_until=now() + timedelta(seconds=self.lease_seconds)).execution_options(synchronize_session=False)
            )
            db.session.commit()

    # --- outcomes (each its own commit) ---
    def _record_accepted(self) -> None:
        """Record the last accepted message (delivery sent, quota confirmed, counters) in one commit.

        Called as soon as possible after acceptance: while the server works on the next MAIL FROM,
        or before anything else touches the database.
        """
        if self._accepted is None:
            return
        item, service_id, month = self._accepted
        self._accepted = None
        # Hot path: prebuilt Core statements, ids as plain ints (an ORM attribute would reload after a commit).
        # _COUNT_SENT has the effect of counters.bump(emails_sent=1, emails_pending=-1) without rebuilding it.
        conn = db.session.connection()
        params = {"did": item.id, "tok": self.token, "at": now(), "sid": service_id, "mkey": month,
                  "cid": self.campaign_id}
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
        attempts = item.attempts + 1
        if attempts >= self.max_attempts:
            item.attempts = attempts - 1
            self._mark_failed(item, f"{reason} (após {attempts} tentativas)")
            return
        delay = backoff_seconds(attempts)
        db.session.execute(
            update(Delivery).where(Delivery.id == item.id, Delivery.claim_token == self.token,
                                   Delivery.status == DELIVERY_SENDING)
            .values(status=DELIVERY_PENDING, attempts=attempts, last_error=reason[:1000],
                    next_attempt_at=now() + timedelta(seconds=delay), claim_token=None, lease_until=None)
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
                    self.transport.send(self.sender, item.email, data, while_mail=self._record_accepted,
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
                        raise StopBatch("service unreachable", retry_at=now() + timedelta(seconds=backoff_seconds(1)),
                                        error=str(fault))
                    if kind == RECIPIENT:
                        self._mark_failed(item, str(fault))
                    else:
                        self._mark_retry(item, str(fault))
                    index += 1
                    continue
                self.slots -= 1
                self._accepted = (item, self.service_id, self.month)
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
            self.result.released = release_claim(self.token, next_attempt_at=stop.retry_at, last_error=stop.error)
            log.info("campaign=%s batch stopped: %s (released %s)", self.campaign_id, stop.reason, self.result.released)
        finally:
            try:
                self._record_accepted()
            finally:
                self._give_back_slots()
                self._close_transport()
                self.factory.close()
                # Anything still claimed (an unexpected error) goes back at once.
                self.result.released += release_claim(self.token)
        return self.result


def _load(token_ids: list[int]) -> tuple[list[Item], dict[int, list[BoletoData]], dict[int, str | None]]:
    rows = db.session.execute(
        select(Delivery.id, Delivery.client_id, Delivery.email, Delivery.attempts, Delivery.message_id)
        .where(Delivery.id.in_(token_ids)).order_by(Delivery.id)
    ).all()
    items = [Item(r.id, r.client_id, r.email or "", r.attempts or 0, r.message_id or "") for r in rows]
    client_ids = sorted({i.client_id for i in items})
    names = dict(db.session.execute(
        select(CampaignClient.id, CampaignClient.name).where(CampaignClient.id.in_(client_ids))
    ).all())
    boletos: dict[int, list[BoletoData]] = {}
    for boleto, external_id in db.session.execute(
        select(Boleto, Agreement.external_id).join(Agreement, Agreement.id == Boleto.agreement_id)
        .where(Boleto.client_id.in_(client_ids), Boleto.selected.is_(True), Boleto.valid.is_(True))
        .order_by(Boleto.client_id, Boleto.due_date, Boleto.number, Boleto.id)
    ).all():
        boletos.setdefault(boleto.client_id, []).append(BoletoData.from_row(boleto, external_id))
    return items, boletos, names


def _store_message_ids(items: list[Item], sender: str) -> None:
    """Generate and store each Message-ID before anything leaves (a retry reuses its id)."""
    missing = [i for i in items if not i.message_id]
    for item in missing:
        item.message_id = new_message_id(sender)
    if missing:
        db.session.execute(update(Delivery), [{"id": i.id, "message_id": i.message_id} for i in missing])
        db.session.commit()


def run_batch(campaign_id: int, batch_size: int | None = None, *, chain: bool = True) -> BatchResult:
    """One send job: claim a batch, send it, re-enqueue while due work remains, complete when done."""
    from app.campaigns.lifecycle import maybe_complete

    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.status not in SENDABLE_STATUSES:
        return BatchResult(stopped=f"campaign {getattr(campaign, 'status', 'missing')}")
    service = rotation.ensure_service(campaign.operation_id, campaign_id)
    if service is None:
        return BatchResult(stopped="no eligible service")
    binding = rotation.binding_of(campaign.operation_id)
    batch_size = batch_size or int(_setting("SEND_BATCH_SIZE", 200))
    token, ids = claim(campaign_id, batch_size, lease_seconds())
    if not ids:
        if campaign.status == SENDING:
            maybe_complete(campaign_id)
        return BatchResult()
    items, boletos, names = _load(ids)
    _store_message_ids(items, binding.sender_email)
    batch = BatchSender(campaign, token, items, boletos, names, binding.sender_email, service)
    if _setting("SEND_PDF_THREAD", False):
        # Render the batch's PDFs in a background thread while messages go out. Off by default: measured
        # here, the GIL hand-over delays every socket and database reply of the sender about as much as it saves.
        batch.factory.pdfs.prefetch([b for item in items for b in boletos.get(item.client_id, [])])
    result = batch.run()
    log.info("campaign=%s batch claimed=%s sent=%s failed=%s retried=%s stopped=%s services=%s", campaign_id,
             result.claimed, result.sent, result.failed, result.retried, result.stopped, ",".join(result.services))
    db.session.expire_all()
    status = db.session.execute(select(Campaign.status).where(Campaign.id == campaign_id)).scalar()
    if chain and status in SENDABLE_STATUSES and result.stopped is None and has_due_work(campaign_id):
        _enqueue_next(campaign_id)
    if status == SENDING:
        maybe_complete(campaign_id)
    return result


def has_due_work(campaign_id: int) -> bool:
    return db.session.execute(
        select(Delivery.id).where(Delivery.campaign_id == campaign_id, Delivery.status == DELIVERY_PENDING,
                                  _due_clause(now())).limit(1)
    ).first() is not None


# --- sweep steps ------------------------------------------------------------------------------------
def reclaim_expired_leases() -> int:
    """Deliveries whose worker died go back to pending (the message in flight may be sent twice)."""
    result = db.session.execute(
        update(Delivery).where(Delivery.status == DELIVERY_SENDING, Delivery.lease_until < now())
        .values(status=DELIVERY_PENDING, claim_token=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    quota.release_stale_reservations()
    return result.rowcount or 0


def redispatch_due_campaigns() -> int:
    """Give a send job to every sendable campaign with due pending deliveries and no send job alive.

    Covers jobs lost with Redis, chains that stopped (retries whose time came, a batch that stopped), and
    jobs whose worker was killed (their id stays 'started' in Redis, so a fresh id is used). A campaign
    already being sent is left alone: the sweep must not add a chain every minute.
    """
    from workers.tasks import send_batch

    due = db.session.execute(
        select(Delivery.campaign_id).join(Campaign, Campaign.id == Delivery.campaign_id)
        .where(Campaign.status.in_(SENDABLE_STATUSES), Delivery.status == DELIVERY_PENDING, _due_clause(now()))
        .distinct()
    ).scalars().all()
    if not due:
        return 0
    busy = campaigns_with_live_claims(due) | campaigns_with_queued_send_jobs()
    enqueued = 0
    for campaign_id in sorted(set(due) - busy):
        send_batch.delay(campaign_id, job_id=f"send-{campaign_id}-sweep-{uuid.uuid4().hex[:8]}")
        log.info("sweep: campaign=%s send job re-enqueued", campaign_id)
        enqueued += 1
    return enqueued


def campaigns_with_live_claims(campaign_ids) -> set[int]:
    """Campaigns a live batch is sending now (a claimed delivery whose lease has not expired)."""
    return set(db.session.execute(
        select(Delivery.campaign_id).where(Delivery.campaign_id.in_(list(campaign_ids)),
                                           Delivery.status == DELIVERY_SENDING, Delivery.lease_until > now())
        .distinct()
    ).scalars())


def campaigns_with_queued_send_jobs() -> set[int]:
    """Campaigns with a send job waiting in the queue (the send queue holds a few jobs per campaign)."""
    from rq.job import Job

    from workers.connection import get_redis
    from workers.queues import SEND, get_queue

    queue = get_queue(SEND)
    jobs = Job.fetch_many(queue.get_job_ids(), connection=get_redis())
    return {job.args[0] for job in jobs if job is not None and job.args}
