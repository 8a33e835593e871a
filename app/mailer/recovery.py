"""What the sweep needs of sending: give back the deliveries of dead workers, find campaigns with due work.

Sending normally drives itself (each send job enqueues the next while due work remains).
The periodic sweep (app.campaigns.sweep) covers what a chain cannot: a worker killed
mid-batch (its expired leases go back to pending: the message in flight then is the only
possible duplicate), send jobs lost with Redis, and retries whose time came after the
chain stopped (app.campaigns.sending.redispatch_due_campaigns).
"""
from __future__ import annotations

import logging

from sqlalchemy import select, update

from app.extensions import db
from app.models import Campaign, Delivery
from app.models.campaigns import DELIVERY_PENDING, DELIVERY_SENDING

from . import claims, quota

log = logging.getLogger(__name__)


def reclaim_expired_leases() -> int:
    """Deliveries whose worker died go back to pending (the message in flight may be sent twice)."""
    result = db.session.execute(
        update(Delivery).where(Delivery.status == DELIVERY_SENDING, Delivery.lease_until < claims.now())
        .values(status=DELIVERY_PENDING, claim_token=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    quota.release_stale_reservations()
    return result.rowcount or 0


def campaigns_with_due_work() -> list[int]:
    """Sendable campaigns with pending deliveries whose time has come."""
    return db.session.execute(
        select(Delivery.campaign_id).join(Campaign, Campaign.id == Delivery.campaign_id)
        .where(Campaign.status.in_(claims.SENDABLE_STATUSES), Delivery.status == DELIVERY_PENDING,
               claims.due_clause(claims.now()))
        .distinct()
    ).scalars().all()


def campaigns_with_live_claims(campaign_ids) -> set[int]:
    """Campaigns a live batch is sending now (a claimed delivery whose lease has not expired)."""
    return set(db.session.execute(
        select(Delivery.campaign_id).where(Delivery.campaign_id.in_(list(campaign_ids)),
                                           Delivery.status == DELIVERY_SENDING, Delivery.lease_until > claims.now())
        .distinct()
    ).scalars())
