"""Periodic jobs, declared as data with stable ids and synced when the scheduler starts.

Starting the scheduler cancels periodic jobs no longer declared and adds the
missing ones; a job already scheduled keeps its next run. Two schedulers
started by mistake therefore agree on one set of jobs.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from flask import current_app


def periodic_jobs(config=None) -> list[dict]:
    """The periodic jobs of this installation (intervals from its configuration)."""
    config = current_app.config if config is None else config
    return [
        # Starts due campaigns, re-enqueues lost work, resumes paused campaigns, completes finished ones.
        {"func": "app.campaigns.sweep.sweep_job", "interval": config["SWEEP_INTERVAL"], "queue": "maintenance",
         "timeout": 300},
        # LGPD: deletes personal data of campaigns older than RETENTION_DAYS.
        {"func": "app.campaigns.retention.purge_job", "interval": 3600, "queue": "maintenance", "timeout": 3600},
        # Reads the bounce mailbox(es): bounced deliveries, the suppression list (app/bounces).
        {"func": "app.bounces.poll.poll_job", "interval": config["BOUNCE_POLL_MINUTES"] * 60, "queue": "maintenance",
         "timeout": 600},
    ]


def periodic_job_id(definition: dict) -> str:
    digest = hashlib.sha1(json.dumps(definition, sort_keys=True).encode()).hexdigest()
    return f"periodic-{digest[:20]}"


def sync_periodic_jobs(scheduler, definitions: list[dict] | None = None) -> dict:
    """Make the scheduler hold exactly `definitions`; returns what it added and removed."""
    definitions = periodic_jobs() if definitions is None else definitions
    wanted = {periodic_job_id(d): d for d in definitions}
    existing = {job.id: job for job in scheduler.get_jobs() if job.meta.get("periodic")}
    removed = [job_id for job_id in existing if job_id not in wanted]
    for job_id in removed:
        scheduler.cancel(existing[job_id])
        existing[job_id].delete()
    added = [job_id for job_id, d in wanted.items() if job_id not in existing and _schedule(scheduler, job_id, d)]
    return {"added": added, "removed": removed}


def ensure_periodic_jobs(scheduler, definitions: list[dict] | None = None) -> list[str]:
    """Re-add any declared periodic job missing from Redis (flushed, restarted empty); cheap enough for every poll.

    Without it a Redis flush would erase the sweep itself, and nothing would ever re-create the lost work.
    """
    definitions = periodic_jobs() if definitions is None else definitions
    return [job_id for job_id, d in ((periodic_job_id(d), d) for d in definitions)
            if job_id not in scheduler and _schedule(scheduler, job_id, d)]


def _schedule(scheduler, job_id: str, d: dict) -> bool:
    scheduler.schedule(
        scheduled_time=datetime.now(timezone.utc),
        func=d["func"],
        interval=d["interval"],
        queue_name=d["queue"],
        timeout=d.get("timeout"),
        id=job_id,
        meta={"periodic": True},
        result_ttl=600,
    )
    return True
