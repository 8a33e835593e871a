"""One send batch: send its claimed deliveries over one SMTP connection and record each outcome at once.

`BatchSender.run` is the per-batch loop of a send job (app.mailer.dispatch.run_batch claims
the deliveries, stores their Message-IDs and loads them into `Item`s first). Exactly once,
as far as SMTP allows:
- a delivery is marked sent in its own commit right after the server accepts it (with the
  quota count and the campaign counters, app.mailer.recording), guarded by the claim token;
- a quota or service fault never spends a recipient's attempts: the delivery stays in the
  batch and is sent through the operation's next service (`_move_on`);
- a batch that stops (`StopBatch`: campaign no longer sendable, no eligible service, service
  unreachable...) gives its unsent deliveries back (app.mailer.claims.release_claim).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app import timeutil
from app.extensions import db
from app.models import Campaign, EmailService

from . import claims, quota, rotation
from .classify import AUTH, BROKEN, CONNECT, QUOTA, RECIPIENT, SmtpFault, classify_fault
from .message import MessageFactory
from .recording import Acceptances
from .templates import BoletoData, TemplateProblem
from .transport import SmtpTransport

log = logging.getLogger(__name__)

RESERVE_BLOCK = 20
NO_SERVICE = "no eligible service"  # BatchResult.stopped when the operation has no service left (it stalls)
CANCEL_CHECK_SECONDS = 0.5
SLOT_WAIT_SECONDS = 10  # how long a batch waits for quota slots other workers hold in flight


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
        self.max_attempts = current_app.config["SEND_MAX_ATTEMPTS"]
        # PostgreSQL: record acceptances on a second connection while sending on. SQLite keeps one writer, in line.
        in_background = db.engine.dialect.name == "postgresql" and current_app.config["SEND_RECORD_IN_BACKGROUND"]
        self.acceptances = Acceptances(db.session, token, campaign.id, claims.now, in_background)
        self.lease_seconds = claims.lease_seconds()
        self.renew_every = claims.renew_every(self.lease_seconds)
        self.result = BatchResult(claimed=len(items))
        self.service = service
        self.transport: SmtpTransport | None = None
        self.month = timeutil.month_key(claims.now())
        self.slots = 0
        self._prepared: dict[int, bytes] = {}
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
        claims.assign_service(self.token, service.id)

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
        if fault_kind == BROKEN:
            rotation.service_broken(failed, reason, campaign_id=self.campaign_id)
        else:  # a quota reply, or the counter reached the quota
            rotation.service_exhausted(failed, reason, by_reply=fault_kind == QUOTA, campaign_id=self.campaign_id)
        nxt = rotation.ensure_service(self.operation_id, self.campaign_id)
        if nxt is None:
            raise StopBatch(NO_SERVICE)
        self._use(nxt)

    def _ensure_slot(self, remaining: int) -> None:
        waited = 0.0
        while self.slots == 0:
            granted = quota.reserve(self.service, min(remaining, RESERVE_BLOCK), self.month)
            if granted:
                self.slots = granted
                return
            usage = quota.usage(self.service, self.month)
            if usage.exhausted:
                self._move_on("counter", usage.exhausted_reason)
                continue
            # Every free slot is held by other workers' messages in flight: they will confirm or release.
            if waited >= SLOT_WAIT_SECONDS:
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
            claims.renew_leases(self.token, self.lease_seconds)

    # --- outcomes (each its own commit) ---
    def _record_accepted(self) -> None:
        """Record the last accepted message (delivery sent, quota confirmed, counters) in one commit.

        Called as soon as possible after acceptance (in line: while the server works on the next
        MAIL FROM; in the background: before the next body goes out, so the server never holds two
        accepted messages we have not recorded) and before anything else writes to the database.
        """
        self.result.sent += self.acceptances.flush()

    def _mark_failed(self, item: Item, reason: str, spend_attempt: bool = True) -> None:
        self._record_accepted()
        claims.mark_failed(self.token, self.campaign_id, item.id, item.attempts + (1 if spend_attempt else 0), reason)
        self.result.failed += 1

    def _mark_retry(self, item: Item, reason: str) -> None:
        self._record_accepted()
        attempts = item.attempts + 1
        if attempts >= self.max_attempts:
            self._mark_failed(item, f"{reason} (após {attempts} tentativas)")
            return
        claims.mark_retry(self.token, item.id, attempts, reason)
        self.result.retried += 1

    # --- the loop ---
    def _message(self, index: int) -> bytes | None:
        """The message of items[index]; None when it cannot be built (the delivery is failed)."""
        prepared = self._prepared.pop(index, None)
        if prepared is not None:
            return prepared
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

    def _send(self, index: int, data: bytes) -> None:
        item = self.items[index]
        if self.slots == 0:
            self._record_accepted()  # the quota must see every acceptance before reserving
        self._ensure_slot(len(self.items) - index)
        prepare_next = lambda: self._prepare(index + 1)  # noqa: E731
        if self.acceptances.recorder is None:
            self.transport.send(self.sender, item.email, data, while_mail=self._record_accepted,
                                while_data=prepare_next)
        else:  # the previous record commits during MAIL, RCPT and DATA; on disk before this body
            self.transport.send(self.sender, item.email, data, before_body=self._record_accepted,
                                while_data=prepare_next)
        self.slots -= 1
        note = self.factory.note_for(self.boletos.get(item.client_id) or [])
        self.acceptances.accepted(item.id, self.service_id, self.month, note)

    def _refused(self, index: int, data: bytes, fault: SmtpFault) -> int:
        """Handle a refusal of items[index]; returns the index to go on with."""
        self._record_accepted()
        kind = classify_fault(fault)
        if kind in (QUOTA, BROKEN):
            self._prepared[index] = data
            self._move_on(kind, str(fault))
            return index  # same item, next service, no attempt spent
        if fault.stage in (CONNECT, AUTH):
            # The service is unreachable for now: a service fault, not the recipient's.
            raise StopBatch("service unreachable", retry_at=claims.now() + timedelta(seconds=claims.backoff_seconds(1)),
                            error=str(fault))
        if kind == RECIPIENT:
            self._mark_failed(self.items[index], str(fault))
        else:
            self._mark_retry(self.items[index], str(fault))
        return index + 1

    def _finish(self) -> None:
        self._record_accepted()
        self._give_back_slots()
        usage = quota.usage(self.service, self.month)
        if usage.sent >= usage.quota:
            # Move on now rather than at the next send: the panel and the admins see it at once.
            rotation.service_exhausted(self.service, usage.counter_reason, by_reply=False,
                                       campaign_id=self.campaign_id)

    def _stop(self, stop: StopBatch) -> None:
        self._record_accepted()
        self.result.stopped = stop.reason
        self._give_back_slots()
        self.result.released = claims.release_claim(self.token, next_attempt_at=stop.retry_at, last_error=stop.error)
        log.info("campaign=%s batch stopped: %s (released %s)", self.campaign_id, stop.reason, self.result.released)

    def run(self) -> BatchResult:
        try:
            index = 0
            while index < len(self.items):
                self._check_campaign()
                data = self._message(index)
                if data is None:
                    index += 1
                    continue
                try:
                    self._send(index, data)
                    index += 1
                except SmtpFault as fault:
                    index = self._refused(index, data, fault)
            self._finish()
        except StopBatch as stop:
            self._stop(stop)
        finally:
            try:
                self._record_accepted()
            finally:
                self._give_back_slots()
                self._close_transport()
                self.factory.close()
                self.acceptances.close()
                # Anything still claimed (an unexpected error) goes back at once.
                self.result.released += claims.release_claim(self.token)
        return self.result
