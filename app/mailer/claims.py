"""Claims on deliveries: which deliveries a send batch may take, for how long, and when they come back.

A delivery is claimed before it is sent (claim token + lease; `FOR UPDATE SKIP LOCKED`
on PostgreSQL, a guarded token UPDATE on SQLite) and released to pending without spending
an attempt when its batch stops. This module also holds what the batch loop, the send job
and the sweep share about time: the clock, the lease length and its renewal, the retry
backoff and the "due" rule. It imports nothing else of the mailer, so every sending module
can import it.

The clock is `now()` here and only here: the other modules call `claims.now()` through the
module, so a test that moves it (`monkeypatch.setattr(claims, "now", ...)`) moves it everywhere.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from app import timeutil
from app.extensions import db
from app.models import Delivery
from app.models.campaigns import (
    COLLECTING,
    DELIVERY_FAILED,
    DELIVERY_PENDING,
    DELIVERY_SENDING,
    SENDING,
    bump_counters,
)

SENDABLE_STATUSES = (COLLECTING, SENDING)
LEASE_RENEW_SECONDS = 60  # at most; a short lease is renewed three times per lease


def now() -> datetime:
    """The clock (tests move it)."""
    return timeutil.now_utc()


def lease_seconds() -> int:
    return max(1, current_app.config["SEND_LEASE_SECONDS"])


def renew_every(lease: int) -> float:
    """How often a live batch renews its lease: well before it could expire, whatever its length."""
    return min(LEASE_RENEW_SECONDS, lease / 3)


def backoff_seconds(attempts: int) -> float:
    """The wait before the next try after `attempts` transient failures (SEND_BACKOFF_SECONDS; the last repeats).
    Default: 5 attempts over about 30 minutes."""
    delays = tuple(current_app.config["SEND_BACKOFF_SECONDS"]) or (60,)
    return float(delays[min(max(attempts, 1) - 1, len(delays) - 1)])


def due_clause(moment: datetime):
    return or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= moment)


def has_due_work(campaign_id: int) -> bool:
    return db.session.execute(
        select(Delivery.id).where(Delivery.campaign_id == campaign_id, Delivery.status == DELIVERY_PENDING,
                                  due_clause(now())).limit(1)
    ).first() is not None


def due_count(campaign_id: int, limit: int) -> int:
    """How many of the campaign's deliveries are due now, counted up to `limit`."""
    due = select(Delivery.id).where(Delivery.campaign_id == campaign_id, Delivery.status == DELIVERY_PENDING,
                                    due_clause(now())).limit(limit).subquery()
    return db.session.execute(select(func.count()).select_from(due)).scalar() or 0


def claim(campaign_id: int, limit: int, lease_seconds: int) -> tuple[str, list[int]]:
    """Claim up to `limit` due pending deliveries; returns (token, ids). Commits.

    The candidates are locked and read first, then claimed by id: PostgreSQL may evaluate an
    `IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` subquery more than once and claim more than `n`.
    """
    token = uuid.uuid4().hex
    moment = now()
    candidates = db.session.execute(
        select(Delivery.id)
        .where(Delivery.campaign_id == campaign_id, Delivery.status == DELIVERY_PENDING, due_clause(moment))
        .order_by(Delivery.id).limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises writers and ignores it
    ).scalars().all()
    if not candidates:
        db.session.commit()
        return token, []
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


def renew_leases(token: str, lease: int) -> set[int]:
    """A live batch extends the lease of every delivery it still holds; returns their ids. Commits.

    A batch that stalled past its lease (a relay or database that took that long) may have lost some: the sweep
    gave them back and another batch claimed them. Those are not in the returned set, and must not be sent.
    """
    held = db.session.execute(
        update(Delivery).where(Delivery.claim_token == token, Delivery.status == DELIVERY_SENDING)
        .values(lease_until=now() + timedelta(seconds=lease)).returning(Delivery.id)
        .execution_options(synchronize_session=False)
    ).scalars().all()
    db.session.commit()
    return set(held)


def assign_service(token: str, service_id: int) -> None:
    """The batch's deliveries go out through this service now (the report shows which). Commits."""
    db.session.execute(
        update(Delivery).where(Delivery.claim_token == token, Delivery.status == DELIVERY_SENDING)
        .values(service_id=service_id).execution_options(synchronize_session=False)
    )
    db.session.commit()


def mark_failed(token: str, campaign_id: int, delivery_id: int, attempts: int, reason: str) -> bool:
    """A claimed delivery fails for good with `attempts` spent; counted once. Commits."""
    result = db.session.execute(
        update(Delivery).where(Delivery.id == delivery_id, Delivery.claim_token == token,
                               Delivery.status == DELIVERY_SENDING)
        .values(status=DELIVERY_FAILED, attempts=attempts, last_error=reason[:1000], claim_token=None,
                lease_until=None).execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        bump_counters(campaign_id, emails_failed=1, emails_pending=-1)
    db.session.commit()
    return result.rowcount == 1


def mark_retry(token: str, delivery_id: int, attempts: int, reason: str) -> None:
    """A claimed delivery goes back to pending after a transient failure, due again after the backoff. Commits."""
    db.session.execute(
        update(Delivery).where(Delivery.id == delivery_id, Delivery.claim_token == token,
                               Delivery.status == DELIVERY_SENDING)
        .values(status=DELIVERY_PENDING, attempts=attempts, last_error=reason[:1000],
                next_attempt_at=now() + timedelta(seconds=backoff_seconds(attempts)), claim_token=None,
                lease_until=None).execution_options(synchronize_session=False)
    )
    db.session.commit()
