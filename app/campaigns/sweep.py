"""The sweep: a periodic, idempotent pass that re-creates work the database says is unfinished."""
from __future__ import annotations

import logging

from app.extensions import db
from app.models import Campaign
from app.models.campaigns import SCHEDULED
from app.timeutil import now_utc

log = logging.getLogger(__name__)


def start_due_campaigns() -> int:
    """Start scheduled campaigns whose moment has passed (their start job may be lost)."""
    from app.campaigns.lifecycle import start

    due = db.session.execute(
        db.select(Campaign.id).where(Campaign.status == SCHEDULED, Campaign.scheduled_at <= now_utc())
    ).scalars().all()
    return sum(1 for campaign_id in due if start(campaign_id))


def reclaim_send_leases() -> int:
    """Sending: deliveries claimed by a dead worker go back to pending; leaked quota slots are freed."""
    from app.mailer.recovery import reclaim_expired_leases

    return reclaim_expired_leases()


def resume_paused_sending() -> int:
    """Sending: paused campaigns resume as soon as their operation has an eligible service."""
    from app.mailer.rotation import resume_paused

    return resume_paused()


def redispatch_sending() -> int:
    """Sending: re-enqueue campaigns with due pending deliveries (lost jobs, retries whose time came)."""
    from app.mailer.recovery import redispatch_due_campaigns

    return redispatch_due_campaigns()


def resume_collection() -> int:
    """Collection: plan campaigns with no chunks, re-enqueue chunks whose job vanished or whose lease expired."""
    from app.campaigns.collection import resume_collection as resume

    return resume()


def complete_finished_campaigns() -> int:
    """Sending or paused campaigns whose work is done (nothing waiting for the API, nothing to send) complete."""
    from app.campaigns.lifecycle import maybe_complete
    from app.models.campaigns import PAUSED, SENDING

    candidates = db.session.execute(
        db.select(Campaign.id).where(Campaign.status.in_((SENDING, PAUSED)))
    ).scalars().all()
    return sum(1 for campaign_id in candidates if maybe_complete(campaign_id))


# Each step is idempotent and cheap when there is nothing to do. Order matters a little: leases are
# reclaimed before re-dispatch (their deliveries are then due), and completion comes last.
SWEEP_STEPS = [start_due_campaigns, resume_collection, reclaim_send_leases, resume_paused_sending,
               redispatch_sending, complete_finished_campaigns]


def run_sweep() -> dict:
    results = {}
    for step in SWEEP_STEPS:
        try:
            results[step.__name__] = step()
        except Exception:  # one broken step must not stop the others
            log.exception("sweep step %s failed", step.__name__)
            db.session.rollback()
            results[step.__name__] = "error"
    return results
