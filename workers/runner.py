"""Worker and scheduler processes (Procfile: `worker`, `scheduler`)."""
from __future__ import annotations

import logging
import os
import time

from flask import has_app_context
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import SimpleWorker, Worker
from rq_scheduler import Scheduler

from app import create_app
from app.extensions import db
from app.jobs import all_queues, get_redis, make_scheduler
from app.logging_setup import library_level

from .schedule import ensure_periodic_jobs, sync_periodic_jobs

log = logging.getLogger(__name__)
_app = None


def use_app(app) -> None:
    """Run jobs in this app (the one `flask --app wsgi` loaded) instead of creating one."""
    global _app
    _app = app


def worker_app():
    """The process's Flask app, created once (in a worker, before forking)."""
    global _app
    if _app is None:
        _app = create_app()
    return _app


class AppContextJobs:
    """Every job runs inside the process's app context, with a fresh database session afterwards.

    Tests run jobs inside their own app context: that one is reused.
    """

    def perform_job(self, job, queue, *args, **kwargs):
        if has_app_context():
            return super().perform_job(job, queue, *args, **kwargs)
        with worker_app().app_context():
            try:
                return super().perform_job(job, queue, *args, **kwargs)
            finally:
                db.session.remove()


class AppWorker(AppContextJobs, Worker):
    """A forking worker whose child never reuses the parent's database connections.

    SQLAlchemy pools must not cross a fork: the work horse disposes the
    inherited pool (without closing the parent's sockets) before its job.
    """

    def main_work_horse(self, job, queue):
        with worker_app().app_context():
            db.engine.dispose(close=False)
        return super().main_work_horse(job, queue)


class AppSimpleWorker(AppContextJobs, SimpleWorker):
    """Runs jobs in its own process (benchmarks, tests): no fork."""


def wait_for_redis(seconds: float = 30.0) -> None:
    """Processes start together under honcho: give Redis a moment instead of crashing."""
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
    # RQ sets its own loggers' level from this (INFO by default): keep them as quiet as LOG_LEVEL asks.
    return worker.work(burst=burst, with_scheduler=True,
                       logging_level=library_level(app.config["LOG_LEVEL"]))


class AppScheduler(Scheduler):
    """rq-scheduler that re-adds missing periodic jobs before every poll (Redis may have been flushed)."""

    def enqueue_jobs(self):
        added = ensure_periodic_jobs(self)
        if added:
            log.warning("scheduler: periodic jobs missing from Redis re-added: %s", ",".join(added))
        return super().enqueue_jobs()


def make_process_scheduler(interval: int = 5) -> AppScheduler:
    return make_scheduler(interval, scheduler_class=AppScheduler)


def run_scheduler(interval: int = 5, burst: bool = False) -> None:
    app = worker_app()
    with app.app_context():
        wait_for_redis()
        scheduler = make_process_scheduler(interval)
        changes = sync_periodic_jobs(scheduler)
        log.info("scheduler: periodic jobs added=%s removed=%s", len(changes["added"]), len(changes["removed"]))
        # Inside the app context: every poll re-reads the periodic jobs from the configuration.
        scheduler.run(burst=burst)
