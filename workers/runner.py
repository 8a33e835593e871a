"""Worker and scheduler processes (Procfile: `worker`, `scheduler`)."""
from __future__ import annotations

import logging
import os

from rq import Worker
from rq_scheduler import Scheduler

from .connection import get_redis
from .jobs import worker_app
from .queues import CAMPAIGNS, all_queues
from .schedule import ensure_periodic_jobs, sync_periodic_jobs

log = logging.getLogger(__name__)


class AppWorker(Worker):
    """A forking worker whose child never reuses the parent's database connections.

    SQLAlchemy pools must not cross a fork: the work horse disposes the
    inherited pool (without closing the parent's sockets) before its job.
    """

    def main_work_horse(self, job, queue):
        from app.extensions import db

        with worker_app().app_context():
            db.engine.dispose(close=False)
        return super().main_work_horse(job, queue)


def wait_for_redis(seconds: float = 30.0) -> None:
    """Processes start together under honcho: give Redis a moment instead of crashing."""
    import time

    from redis.exceptions import ConnectionError as RedisConnectionError

    deadline = time.monotonic() + seconds
    while True:
        try:
            get_redis().ping()
            return
        except RedisConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def run_worker(burst: bool = False, queues: list[str] | None = None) -> bool:
    app = worker_app()
    with app.app_context():
        wait_for_redis()
        qs = [q for q in all_queues() if not queues or q.name in queues]
        worker = AppWorker(qs, connection=get_redis())
    log.info("worker pid=%s listening on %s", os.getpid(), ",".join(q.name for q in qs))
    return worker.work(burst=burst, with_scheduler=True)


class AppScheduler(Scheduler):
    """rq-scheduler that re-adds missing periodic jobs before every poll (Redis may have been flushed)."""

    def enqueue_jobs(self):
        added = ensure_periodic_jobs(self)
        if added:
            log.warning("scheduler: periodic jobs missing from Redis re-added: %s", ",".join(added))
        return super().enqueue_jobs()


def make_scheduler(interval: int = 5) -> Scheduler:
    return AppScheduler(queue_name=CAMPAIGNS, connection=get_redis(), interval=interval)


def run_scheduler(interval: int = 5, burst: bool = False) -> None:
    app = worker_app()
    with app.app_context():
        wait_for_redis()
        scheduler = make_scheduler(interval)
        changes = sync_periodic_jobs(scheduler)
    log.info("scheduler: periodic jobs added=%s removed=%s", len(changes["added"]), len(changes["removed"]))
    scheduler.run(burst=burst)
