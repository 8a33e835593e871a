"""Monthly usage per service, atomic across workers (reserve, then confirm or release).

A worker reserves slots with a guarded UPDATE (`sent + reserved + k <= quota`)
before sending, confirms a slot when the server accepts (`sent += 1`) and
releases it otherwise. So parallel workers can never push `sent` over the
quota, and `sent` only counts what servers accepted. Slots leaked by a dead
worker are given back by the sweep (`release_stale_reservations`).

A service is exhausted for the month when `sent >= quota`, or when a server
answered with a quota reply while the quota was not above `exhausted_quota`.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Delivery, EmailService, ServiceUsage
from app.models.campaigns import DELIVERY_SENDING
from app.timeutil import month_key, now_utc


@dataclass
class Usage:
    month: str
    sent: int
    reserved: int
    quota: int
    exhausted: bool
    exhausted_reason: str | None = None

    def as_json(self) -> dict:
        return {"month": self.month, "sent": self.sent, "quota": self.quota, "exhausted": self.exhausted}

    @property
    def counter_reason(self) -> str:
        """The one wording of "the counter reached the quota"."""
        return f"Cota mensal atingida ({self.sent}/{self.quota})"

    @property
    def percent(self) -> int:
        if self.quota <= 0:
            return 100
        return min(100, round(100 * self.sent / self.quota))


def ensure_row(service_id: int, month: str) -> None:
    """Create the (service, month) row if missing; safe under races (commits)."""
    found = db.session.execute(
        select(ServiceUsage.id).where(ServiceUsage.service_id == service_id, ServiceUsage.month == month)
    ).first()
    if found:
        return
    try:
        with db.session.begin_nested():
            db.session.add(ServiceUsage(service_id=service_id, month=month, sent=0, reserved=0))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


def _row(service_id: int, month: str) -> ServiceUsage | None:
    return db.session.execute(
        select(ServiceUsage).where(ServiceUsage.service_id == service_id, ServiceUsage.month == month)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def usage(service: EmailService, month: str | None = None) -> Usage:
    month = month or month_key()
    row = _row(service.id, month)
    sent = row.sent if row else 0
    reserved = row.reserved if row else 0
    reply_exhausted = bool(row and row.exhausted_at and (row.exhausted_quota is None or service.monthly_quota <= row.exhausted_quota))
    result = Usage(month, sent, reserved, service.monthly_quota, sent >= service.monthly_quota or reply_exhausted)
    if result.exhausted:
        result.exhausted_reason = (row.exhausted_reason if reply_exhausted and row.exhausted_reason
                                   else result.counter_reason)
    return result


def reserve(service: EmailService, wanted: int, month: str) -> int:
    """Take up to `wanted` slots atomically; returns how many were granted (0: none free now). Commits."""
    ensure_row(service.id, month)
    want = max(1, wanted)
    while want > 0:
        result = db.session.execute(
            update(ServiceUsage)
            .where(ServiceUsage.service_id == service.id, ServiceUsage.month == month,
                   ServiceUsage.sent + ServiceUsage.reserved + want <= service.monthly_quota)
            .values(reserved=ServiceUsage.reserved + want)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if result.rowcount == 1:
            return want
        row = _row(service.id, month)
        free = service.monthly_quota - row.sent - row.reserved
        if free <= 0:
            return 0
        want = min(want - 1, free)
    return 0


def release(service_id: int, month: str, n: int) -> None:
    """Give back `n` reserved slots that were not used (in the caller's transaction)."""
    if n > 0:
        db.session.execute(
            update(ServiceUsage).where(ServiceUsage.service_id == service_id, ServiceUsage.month == month,
                                       ServiceUsage.reserved >= n)
            .values(reserved=ServiceUsage.reserved - n)
            .execution_options(synchronize_session=False)
        )


def mark_exhausted(service: EmailService, reason: str, month: str | None = None) -> bool:
    """Record a quota reply; True when this call made the service exhausted (commits)."""
    month = month or month_key()
    ensure_row(service.id, month)
    result = db.session.execute(
        update(ServiceUsage)
        .where(ServiceUsage.service_id == service.id, ServiceUsage.month == month,
               (ServiceUsage.exhausted_at.is_(None)) | (ServiceUsage.exhausted_quota < service.monthly_quota))
        .values(exhausted_at=now_utc(), exhausted_reason=reason[:500], exhausted_quota=service.monthly_quota)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def release_stale_reservations() -> int:
    """Sweep step: zero reservations of services with no live claimed delivery (a worker died)."""
    live = exists().where(and_(Delivery.service_id == ServiceUsage.service_id, Delivery.status == DELIVERY_SENDING,
                               Delivery.lease_until > now_utc()))
    result = db.session.execute(
        update(ServiceUsage).where(ServiceUsage.reserved != 0, ~live).values(reserved=0)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount or 0
