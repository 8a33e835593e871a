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
    from app.mailer.dispatch import reclaim_expired_leases

    return reclaim_expired_leases()


def resume_paused_sending() -> int:
    """Sending: paused campaigns resume as soon as their operation has an eligible service."""
    from app.mailer.rotation import resume_paused

    return resume_paused()


def redispatch_sending() -> int:
    """Sending: re-enqueue campaigns with due pending deliveries (lost jobs, retries whose time came)."""
    from app.mailer.dispatch import redispatch_due_campaigns

    return redispatch_due_campaigns()


# Each step is idempotent; later capabilities append theirs (collection, sending, retention).
SWEEP_STEPS = [start_due_campaigns, reclaim_send_leases, resume_paused_sending, redispatch_sending]


def resume_collection() -> int:
    """Re-enqueue collection chunks whose job vanished or whose lease expired."""
    from app.campaigns.collection import resume_collection as resume

    return resume()


SWEEP_STEPS.append(resume_collection)


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
