"""What a send batch holds on the service it sends through, and how it moves on when that service cannot send.

A batch (app.mailer.batch.BatchSender) sends through one service at a time: an SMTP transport, a slot of
the service's sessions (app.mailer.sessions), quota slots reserved ahead (app.mailer.quota) and the
service's pace (app.mailer.throttle). When the service runs out of quota, breaks, stops answering or
throttles, the batch rotates (globally, app.mailer.rotation) and goes on with the operation's next
service; when another session rotated first, it follows the binding. A batch that cannot go on raises
`StopBatch`: its unsent deliveries go back to pending without spending an attempt.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from app.extensions import db
from app.models import EmailService

from . import claims, health, quota, rotation
from .classify import BROKEN, QUOTA, RATE, UNREACHABLE
from .throttle import Throttle
from .transport import SmtpTransport

NO_SERVICE = "no eligible service"  # BatchResult.stopped when the operation has no service left (it stalls)
NO_SESSION = "no session slot"  # every session the service allows is open elsewhere
THROTTLED = "throttled"  # the relay asked us to slow down: the service backs off (app.mailer.throttle)
RESERVE_BLOCK = 20
SLOT_WAIT_SECONDS = 10  # how long a batch waits for quota slots other workers hold in flight


class StopBatch(Exception):
    def __init__(self, reason: str, *, retry_at: datetime | None = None, error: str | None = None):
        super().__init__(reason)
        self.reason, self.retry_at, self.error = reason, retry_at, error


class ServiceSwitching:
    """The service side of a BatchSender (it provides `_record_accepted`, `session`, `token`, `result`...)."""

    def _use(self, service: EmailService) -> None:
        self._close_transport()
        self.service = service
        self.service_id = service.id
        if not self.session.take(service):
            raise StopBatch(NO_SESSION)
        self.throttle = Throttle(service)
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
        elif fault_kind == UNREACHABLE:
            rotation.service_unreachable(failed, reason, campaign_id=self.campaign_id)
        elif fault_kind == RATE:
            rotation.service_throttled(failed, self.operation_id, reason, campaign_id=self.campaign_id)
        else:  # a quota reply, or the counter reached the quota
            rotation.service_exhausted(failed, reason, by_reply=fault_kind == QUOTA, campaign_id=self.campaign_id)
        nxt = rotation.ensure_service(self.operation_id, self.campaign_id)
        if nxt is None:
            raise StopBatch(NO_SERVICE, error=reason)
        self._use(nxt)

    def _follow_binding(self) -> None:
        """The operation moved to another service: go on with it (no rotation of ours)."""
        self._record_accepted()
        self._give_back_slots()
        nxt = rotation.ensure_service(self.operation_id, self.campaign_id)
        if nxt is None:
            raise StopBatch(NO_SERVICE)
        self._use(nxt)

    def _unreachable(self, reason: str) -> None:
        """A connection that never became a session: count it (across workers); past SERVICE_DOWN_AFTER in a
        row the service is "sem conexão" and the operation moves on, else try again in a moment."""
        failures = health.connection_failed(self.service, reason)
        if health.is_down(failures):
            self._move_on(UNREACHABLE, reason)
            return
        time.sleep(min(2 ** (failures - 1), 5))  # a restart or a blip: a few seconds, not the retry backoff

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

    def _throttled(self, index: int, data: bytes, reason: str) -> None:
        """The relay asked us to slow down: every session of the service backs off; this one stops (its
        deliveries are due again when the backoff ends), unless the operation moves on to another service."""
        until = self.throttle.refused(reason)
        if self.rotate_when_throttled:
            self.messages.put_back(index, data)
            self._move_on(RATE, reason)
            return
        raise StopBatch(THROTTLED, retry_at=moment(until), error=reason)



def moment(epoch_seconds: float) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, timezone.utc)
