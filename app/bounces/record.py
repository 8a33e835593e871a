"""A bounce on its delivery and on the suppression list.

Per bouncing address, once (a `BounceEvent` per (bounce, address) is the guard: reading twice records nothing):
- the delivery is the one whose stored Message-ID the bounce returned, else the address's latest delivery
  sent within BOUNCE_MATCH_DAYS;
- hard: a sent delivery becomes `bounced` with the reason, and the campaign's counters move in the same
  statement's commit (`emails_sent - 1`, `emails_bounced + 1`); the address is suppressed;
- soft: the delivery keeps `sent`, its `soft_bounces` and reason are recorded; SOFT_BOUNCE_LIMIT soft bounces
  of the address within SOFT_BOUNCE_DAYS suppress it.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import BounceEvent, Campaign, Delivery
from app.models.bounces import SOURCE_BOUNCE
from app.models.campaigns import DELIVERY_BOUNCED, DELIVERY_SENT, bump_counters
from app.timeutil import now_utc

from . import suppression
from .detect import HARD, Bounce, Failure


def match_delivery(failure: Failure, original_message_id: str | None,
                   operation_id: int | None = None) -> Delivery | None:
    """By Message-ID first; else the address's latest sent delivery (of the mailbox's operation, when it has one)."""
    if original_message_id:
        found = db.session.execute(
            select(Delivery).where(Delivery.message_id == original_message_id).order_by(Delivery.id)
        ).scalars().all()
        exact = [d for d in found if (d.email or "").lower() == failure.email] or found
        if exact:
            return exact[0]
    since = now_utc() - timedelta(days=current_app.config["BOUNCE_MATCH_DAYS"])
    query = (select(Delivery).where(func.lower(Delivery.email) == failure.email,
                                    Delivery.status.in_((DELIVERY_SENT, DELIVERY_BOUNCED)), Delivery.sent_at >= since)
             .order_by(Delivery.sent_at.desc(), Delivery.id.desc()).limit(1))
    if operation_id is not None:
        query = query.join(Campaign, Campaign.id == Delivery.campaign_id).where(Campaign.operation_id == operation_id)
    return db.session.execute(query).scalar_one_or_none()


def _first_time(bounce: Bounce, failure: Failure, delivery: Delivery | None) -> bool:
    """Insert this (bounce, address) event; False when it was recorded by an earlier read."""
    try:
        with db.session.begin_nested():
            db.session.add(BounceEvent(message_key=bounce.key, email=failure.email, kind=failure.kind,
                                       reason=failure.reason, delivery_id=getattr(delivery, "id", None),
                                       received_at=now_utc()))
    except IntegrityError:
        return False
    return True


def _hard(failure: Failure, delivery: Delivery | None) -> None:
    if delivery is not None:
        moved = db.session.execute(
            update(Delivery).where(Delivery.id == delivery.id, Delivery.status == DELIVERY_SENT)
            .values(status=DELIVERY_BOUNCED, bounce_reason=failure.reason, bounced_at=now_utc())
            .execution_options(synchronize_session=False))
        if moved.rowcount == 1:
            bump_counters(delivery.campaign_id, emails_sent=-1, emails_bounced=1)
    suppression.suppress(failure.email, failure.reason, SOURCE_BOUNCE, delivery_id=getattr(delivery, "id", None),
                         campaign_id=getattr(delivery, "campaign_id", None))


def _soft(failure: Failure, delivery: Delivery | None) -> None:
    if delivery is not None:
        db.session.execute(
            update(Delivery).where(Delivery.id == delivery.id)
            .values(soft_bounces=Delivery.soft_bounces + 1, bounce_reason=failure.reason, bounced_at=now_utc())
            .execution_options(synchronize_session=False))
    window = now_utc() - timedelta(days=current_app.config["SOFT_BOUNCE_DAYS"])
    soft = db.session.execute(select(func.count(BounceEvent.id)).where(
        BounceEvent.email == failure.email, BounceEvent.kind != HARD, BounceEvent.received_at >= window)).scalar()
    limit = current_app.config["SOFT_BOUNCE_LIMIT"]
    if soft >= limit:
        suppression.suppress(failure.email, f"{soft} devoluções temporárias em "
                             f"{current_app.config['SOFT_BOUNCE_DAYS']} dias; a última: {failure.reason}",
                             SOURCE_BOUNCE, delivery_id=getattr(delivery, "id", None),
                             campaign_id=getattr(delivery, "campaign_id", None))


def record(bounce: Bounce, operation_id: int | None = None) -> int:
    """Record every address of the bounce (read from the mailbox of `operation_id`, or the shared one); returns
    how many were new. Commits."""
    new = 0
    for failure in bounce.failures:
        delivery = match_delivery(failure, bounce.original_message_id, operation_id)
        if not _first_time(bounce, failure, delivery):
            continue
        new += 1
        (_hard if failure.kind == HARD else _soft)(failure, delivery)
    db.session.commit()
    return new
