"""One decorator for every job (Redash style).

A job function takes ids and reloads what it needs from the database. The
decorator fixes its queue, timeout and retry policy where the job is defined;
callers use `.delay(...)`. A job runs inside a Flask app context: the worker
process pushes one around every job (workers.runner), and tests run jobs in
their own context.
"""
from __future__ import annotations

import functools

from flask import has_app_context

from .queues import get_queue

LIVE_STATUSES = ("queued", "started", "deferred", "scheduled")


def job(queue: str, timeout: int = 600, retry=None, result_ttl: int = 600, failure_ttl: int = 7 * 24 * 3600):
    def decorator(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            if not has_app_context():
                raise RuntimeError(f"job {fn.__qualname__} needs an app context: run it in a worker (flask worker)")
            return fn(*args, **kwargs)

        def delay(*args, job_id: str | None = None, **kwargs):
            """Enqueue now. A `job_id` already queued or running is not queued twice."""
            q = get_queue(queue)
            if job_id is not None:
                existing = q.fetch_job(job_id)
                if existing is not None and existing.get_status(refresh=True) in LIVE_STATUSES:
                    return existing
            return q.enqueue(run, args=args, kwargs=kwargs, job_id=job_id, job_timeout=timeout, retry=retry,
                             result_ttl=result_ttl, failure_ttl=failure_ttl)

        def delay_at(moment, *args, job_id: str | None = None, **kwargs):
            """Enqueue at `moment` (aware datetime); the workers' own scheduler moves it to the queue then."""
            q = get_queue(queue)
            if job_id is not None:
                existing = q.fetch_job(job_id)
                if existing is not None and existing.get_status(refresh=True) in LIVE_STATUSES:
                    return existing
            return q.enqueue_at(moment, run, *args, job_id=job_id, job_timeout=timeout, retry=retry,
                                result_ttl=result_ttl, failure_ttl=failure_ttl, **kwargs)

        run.delay = delay
        run.delay_at = delay_at
        run.queue_name = queue
        run.timeout = timeout
        return run

    return decorator
