"""The sweep: a periodic, idempotent pass that re-creates work the database says is unfinished.

The scheduler runs `sweep_job` every SWEEP_INTERVAL seconds (workers/schedule.py).
"""
from __future__ import annotations

import logging

from app.extensions import db
from app.jobs import MAINTENANCE, job
from app.mailer.health import probe_unreachable
from app.mailer.recovery import reclaim_expired_leases
from app.models import Campaign
from app.models.campaigns import SCHEDULED
from app.timeutil import now_utc

from .collection import resume_collection, start_campaign
from .sending import (
    complete_finished_campaigns,
    pause_stalled_operations,
    redispatch_due_campaigns,
    resume_paused,
)
from .watchdog import watch_campaigns

log = logging.getLogger(__name__)


def start_due_campaigns() -> int:
    """Start scheduled campaigns whose moment has passed (their start job may be lost)."""
    due = db.session.execute(
        db.select(Campaign.id).where(Campaign.status == SCHEDULED, Campaign.scheduled_at <= now_utc())
    ).scalars().all()
    return sum(1 for campaign_id in due if start_campaign(campaign_id))


# Each step is idempotent and cheap when there is nothing to do. Order matters a little: leases are
# reclaimed before re-dispatch (their deliveries are then due), and completion comes last.
SWEEP_STEPS = [start_due_campaigns, resume_collection, reclaim_expired_leases, pause_stalled_operations,
               probe_unreachable, resume_paused, redispatch_due_campaigns, complete_finished_campaigns,
               watch_campaigns]


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


@job(MAINTENANCE, timeout=300)
def sweep_job() -> None:
    run_sweep()
