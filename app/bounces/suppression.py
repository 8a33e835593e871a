"""The suppression list: addresses never sent to again, and withholding them from a send batch.

Every address is compared lower-case. A withheld delivery becomes `suppressed` with the reason, spends
no quota (it is withheld before any slot is reserved) and moves the campaign's counters
(`emails_pending - 1`, `emails_suppressed + 1`) in the same commit.
"""
from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Delivery, Suppression
from app.models.bounces import SOURCE_MANUAL
from app.models.campaigns import DELIVERY_SENDING, DELIVERY_SUPPRESSED, bump_counters
from app.timeutil import now_utc

WITHHELD_PREFIX = "Endereço bloqueado"


def normalize(email: str | None) -> str:
    return (email or "").strip().lower()


def find(email: str) -> Suppression | None:
    return db.session.execute(select(Suppression).where(Suppression.email == normalize(email))).scalar_one_or_none()


def suppress(email: str, reason: str, source: str = SOURCE_MANUAL, *, delivery_id: int | None = None,
             campaign_id: int | None = None) -> Suppression | None:
    """Put an address on the list (in the caller's transaction, inside a savepoint); returns the new row, or None
    when it was already there (the first reason stays)."""
    address = normalize(email)
    if not address or find(address) is not None:
        return None
    row = Suppression(email=address, reason=(reason or "")[:1000], source=source, since=now_utc(),
                      delivery_id=delivery_id, campaign_id=campaign_id)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # another worker suppressed it at the same moment
        return None
    return row


def unsuppress(email: str) -> bool:
    """Take an address off the list (the caller commits). True when it was there."""
    result = db.session.execute(delete(Suppression).where(Suppression.email == normalize(email))
                                .execution_options(synchronize_session=False))
    return (result.rowcount or 0) > 0


def search(email: str | None = None):
    """The list, newest first, optionally filtered by part of an address (a query to paginate)."""
    query = select(Suppression).order_by(Suppression.since.desc(), Suppression.id.desc())
    if email:
        query = query.where(Suppression.email.contains(normalize(email), autoescape=True))
    return query


def count() -> int:
    return db.session.execute(select(func.count(Suppression.id))).scalar() or 0


def withhold(token: str, campaign_id: int, ids: list[int]) -> list[int]:
    """Of a claimed batch (`ids`, held by `token`), mark the deliveries to suppressed addresses `suppressed` with
    the list's reason and count them; returns their ids (the batch drops them before reserving any quota). Commits."""
    if not ids:
        return []
    rows = db.session.execute(
        select(Delivery.id, Suppression.reason, Suppression.source)
        .join(Suppression, Suppression.email == func.lower(Delivery.email))
        .where(Delivery.id.in_(ids), Delivery.claim_token == token, Delivery.status == DELIVERY_SENDING)
    ).all()
    withheld = []
    for delivery_id, reason, source in rows:
        text = f"{WITHHELD_PREFIX}: {reason}" if reason else WITHHELD_PREFIX
        result = db.session.execute(
            update(Delivery).where(Delivery.id == delivery_id, Delivery.claim_token == token,
                                   Delivery.status == DELIVERY_SENDING)
            .values(status=DELIVERY_SUPPRESSED, last_error=text[:1000], claim_token=None, lease_until=None)
            .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            withheld.append(delivery_id)
    bump_counters(campaign_id, emails_suppressed=len(withheld), emails_pending=-len(withheld))
    db.session.commit()
    return withheld
