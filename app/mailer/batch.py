"""One send batch: send its claimed deliveries over one SMTP connection and record each outcome at once.

`BatchSender.run` is the per-batch loop of a send job (app.mailer.dispatch.run_batch claims
the deliveries, stores their Message-IDs and loads them into `Item`s first). Exactly once,
as far as SMTP allows:
- a delivery is marked sent in its own commit right after the server accepts it (with the
  quota count and the campaign counters, app.mailer.recording), guarded by the claim token;
- a quota or service fault never spends a recipient's attempts: the delivery stays in the
  batch and is sent through the operation's next service (`_move_on`);
- a batch that stops (`StopBatch`: campaign no longer sendable, no eligible service, service
  unreachable...) gives its unsent deliveries back (app.mailer.claims.release_claim);
- a batch that stalled past its lease sends none of the deliveries it lost meanwhile (the sweep
  gave them back, another batch may be sending them): each lease renewal says which it still holds.
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
from app.models import Campaign, EmailService, OperationBinding

from . import claims, health, quota, rotation
from .classify import AUTH, BROKEN, CONNECT, QUOTA, RATE, RECIPIENT, UNREACHABLE, SmtpFault, classify_fault
from .message import MessageFactory, NoBoletos, PreparedMessages
from .recording import Acceptances
from .service_link import NO_SESSION, THROTTLED, ServiceSwitching, StopBatch, moment
from .sessions import SessionSlot
from .templates import BoletoData, TemplateProblem
from .transport import SmtpTransport

log = logging.getLogger(__name__)

CANCEL_CHECK_SECONDS = 0.5


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
    suppressed: int = 0  # withheld: the address is on the suppression list (app.bounces.suppression)
    taken_over: int = 0  # lost with an expired lease to another batch: not sent by this one
    stopped: str | None = None
    retry_at: datetime | None = None  # when a stopped batch's deliveries are due again (a throttle's end)
    services: list[str] = field(default_factory=list)


class BatchSender(ServiceSwitching):
    def __init__(self, campaign: Campaign, token: str, items: list[Item], boletos: dict[int, list[BoletoData]],
                 names: dict[int, str | None], sender: str, service: EmailService, session: SessionSlot,
                 envelope_sender: str | None = None):
        self.campaign_id = campaign.id
        self.operation_id = campaign.operation_id
        self.rotate_when_throttled = campaign.operation.rotate_when_throttled
        self.session = session
        self.token = token
        self.items = items
        self.sender = sender
        self.envelope_sender = envelope_sender or sender  # MAIL FROM: the bounce mailbox's address when set
        self.factory = MessageFactory.for_campaign(campaign, sender)
        self.messages = PreparedMessages(self.factory, items, boletos, names)
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
        self._answered: set[int] = set()
        self._checked_at = time.monotonic()
        self._renewed_at = time.monotonic()
        self._held = {item.id for item in items}  # what the last lease renewal said this batch still holds
        self._use(service)

    # --- housekeeping ---
    def _check_campaign(self) -> None:
        """Every half second: the campaign still sendable, the operation still on this service, the session's slot
        and the deliveries' leases kept, the service's pace read again."""
        if time.monotonic() - self._checked_at < CANCEL_CHECK_SECONDS:
            return
        self._checked_at = time.monotonic()
        status, bound = db.session.execute(
            select(Campaign.status, OperationBinding.service_id).outerjoin(
                OperationBinding, OperationBinding.operation_id == Campaign.operation_id)
            .where(Campaign.id == self.campaign_id)).one()
        if status not in claims.SENDABLE_STATUSES:
            raise StopBatch(f"campaign {status}")
        if bound != self.service_id:
            self._follow_binding()  # another session rotated, or an admin rebound: stop taking work here
        if not self.session.renew():
            raise StopBatch(NO_SESSION)
        self.throttle.refresh()
        if self.throttle.paused_for():
            raise StopBatch(THROTTLED, retry_at=moment(time.time() + self.throttle.paused_for()))
        if time.monotonic() - self._renewed_at >= self.renew_every:
            self._renewed_at = time.monotonic()
            self._record_accepted()  # no write of ours while the recorder holds the rows
            self._held = claims.renew_leases(self.token, self.lease_seconds)

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
        try:
            return self.messages.take(index)
        except NoBoletos:
            self._mark_failed(self.items[index], "Nenhum boleto selecionado para este cliente")
        except TemplateProblem as exc:
            self._mark_failed(self.items[index], str(exc), spend_attempt=False)
        return None

    def _send(self, index: int, data: bytes) -> None:
        item = self.items[index]
        if self.slots == 0:
            self._record_accepted()  # the quota must see every acceptance before reserving
        self._ensure_slot(len(self.items) - index)
        prepare_next = lambda: self.messages.prepare(index + 1)  # noqa: E731
        self.throttle.wait()  # max_per_minute, or the pace a rate reply set
        if self.acceptances.recorder is None:
            self.transport.send(self.envelope_sender, item.email, data, while_mail=self._record_accepted,
                                while_data=prepare_next)
        else:  # the previous record commits during MAIL, RCPT and DATA; on disk before this body
            self.transport.send(self.envelope_sender, item.email, data, before_body=self._record_accepted,
                                while_data=prepare_next)
        self.slots -= 1
        note = self.factory.note_for(self.messages.boletos.get(item.client_id) or [])
        self.acceptances.accepted(item.id, self.service_id, self.month, note)
        self.throttle.accepted()
        if self.service_id not in self._answered:
            # The first session of this service in the batch: its failures in a row, if any, are over.
            self._answered.add(self.service_id)
            self._record_accepted()
            health.connected(self.service_id)

    def _refused(self, index: int, data: bytes, fault: SmtpFault) -> int:
        """Handle a refusal of items[index]; returns the index to go on with."""
        self._record_accepted()
        kind = classify_fault(fault)
        if kind in (QUOTA, BROKEN):
            self.messages.put_back(index, data)
            self._move_on(kind, str(fault))
            return index  # same item, next service, no attempt spent
        if kind == UNREACHABLE:
            self.messages.put_back(index, data)
            self._unreachable(str(fault))
            return index  # same item, same or next service, no attempt spent
        if kind == RATE:
            self._throttled(index, data, str(fault))
            return index  # same item, next service (the operation's choice), no attempt spent
        if fault.stage in (CONNECT, AUTH):
            # A passing refusal before any message (a busy greeting): the service's, not the recipient's.
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
        self.result.stopped, self.result.retry_at = stop.reason, stop.retry_at
        self._give_back_slots()
        self.result.released = claims.release_claim(self.token, next_attempt_at=stop.retry_at, last_error=stop.error)
        log.info("campaign=%s batch stopped: %s (released %s)", self.campaign_id, stop.reason, self.result.released)

    def run(self) -> BatchResult:
        try:
            index = 0
            while index < len(self.items):
                self._check_campaign()
                if self.items[index].id not in self._held:
                    self.result.taken_over += 1
                    index += 1
                    continue
                data = self._message(index)
                if data is None:
                    index += 1
                    continue
                try:
                    self._send(index, data)
                    index += 1
                except SmtpFault as fault:
                    index = self._refused(index, data, fault)
            if self.result.taken_over:
                log.warning("campaign=%s batch stalled past its lease: %s deliveries went back to the queue and were "
                            "left to the batch that took them", self.campaign_id, self.result.taken_over)
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
