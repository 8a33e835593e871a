"""The sweep's sending steps: give back the deliveries of dead workers and re-dispatch stalled campaigns.

Sending normally drives itself (each send job enqueues the next while due work remains).
These steps, run by the periodic sweep (app.campaigns.sweep), cover what a chain cannot:
a worker killed mid-batch (its expired leases go back to pending: the message in flight then
is the only possible duplicate), send jobs lost with Redis, and retries whose time came after
the chain stopped.
"""
from __future__ import annotations

import logging
import uuid

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


def redispatch_due_campaigns() -> int:
    """Give a send job to every sendable campaign with due pending deliveries and no send job alive.

    Covers jobs lost with Redis, chains that stopped (retries whose time came, a batch that stopped), and
    jobs whose worker was killed (their id stays 'started' in Redis, so a fresh id is used). A campaign
    already being sent is left alone: the sweep must not add a chain every minute.
    """
    from workers.tasks import send_batch

    due = db.session.execute(
        select(Delivery.campaign_id).join(Campaign, Campaign.id == Delivery.campaign_id)
        .where(Campaign.status.in_(claims.SENDABLE_STATUSES), Delivery.status == DELIVERY_PENDING,
               claims.due_clause(claims.now()))
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
                                           Delivery.status == DELIVERY_SENDING, Delivery.lease_until > claims.now())
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
