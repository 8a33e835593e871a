"""Running queued jobs in the test process, as a worker would."""
from __future__ import annotations

from rq import SimpleWorker

from app.jobs import all_queues, get_redis


def run_jobs(queues=None) -> None:
    """Run every queued RQ job in-process (SimpleWorker, burst), including what those jobs enqueue."""
    SimpleWorker(queues or all_queues(), connection=get_redis()).work(burst=True, logging_level="WARNING")
