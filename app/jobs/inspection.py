"""What Redis knows of a job: the sweep asks before it re-enqueues work (the database decides what is unfinished)."""
from __future__ import annotations

from datetime import datetime, timezone

from rq.exceptions import NoSuchJobError
from rq.job import Job

from .connection import get_redis
from .queues import get_queue


def _fetch(job_id: str) -> Job | None:
    try:
        return Job.fetch(job_id, connection=get_redis())
    except NoSuchJobError:
        return None


def job_status(job_id: str) -> str | None:
    """'queued', 'started', 'finished', 'failed', ... or None when Redis does not know the job."""
    job = _fetch(job_id)
    return job.get_status(refresh=True) if job is not None else None


def job_started_at(job_id: str) -> datetime | None:
    """When a worker started the job (aware UTC), or None."""
    job = _fetch(job_id)
    started = job.started_at if job is not None else None
    if started is not None and started.tzinfo is None:  # RQ stores UTC, naive in some versions
        started = started.replace(tzinfo=timezone.utc)
    return started


def queued_job_args(queue_name: str) -> list[tuple]:
    """The positional arguments of every job waiting in a queue."""
    queue = get_queue(queue_name)
    jobs = Job.fetch_many(queue.get_job_ids(), connection=get_redis())
    return [tuple(job.args) for job in jobs if job is not None and job.args]
