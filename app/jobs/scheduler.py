"""Jobs at a moment (rq-scheduler): a campaign's start. The scheduler process itself is workers.runner."""
from __future__ import annotations

from datetime import datetime

from rq_scheduler import Scheduler

from .connection import get_redis
from .queues import CAMPAIGNS


def make_scheduler(interval: int = 5, scheduler_class: type[Scheduler] = Scheduler) -> Scheduler:
    return scheduler_class(queue_name=CAMPAIGNS, connection=get_redis(), interval=interval)


def schedule_at(moment: datetime, job_fn, *args, job_id: str) -> None:
    """Run `job_fn(*args)` at `moment`, replacing a scheduled job of the same id."""
    scheduler = make_scheduler()
    if job_id in scheduler:
        scheduler.cancel(job_id)
    scheduler.enqueue_at(moment, job_fn, *args, job_id=job_id, timeout=job_fn.timeout)


def unschedule(job_id: str) -> bool:
    """Cancel a scheduled job; True if there was one."""
    scheduler = make_scheduler()
    if job_id in scheduler:
        scheduler.cancel(job_id)
        return True
    return False
