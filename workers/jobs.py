"""One decorator for every job (Redash style).

A job function takes ids, runs inside a Flask app context, and reloads what
it needs from the database. The decorator fixes its queue, timeout and
retry policy where the job is defined; callers use `.delay(...)`.
"""
from __future__ import annotations

import functools
import logging
from contextlib import contextmanager

from flask import has_app_context

from .queues import get_queue

log = logging.getLogger(__name__)
_app = None


def worker_app():
    """The process's Flask app, created once (in a worker, before forking)."""
    global _app
    if _app is None:
        from app import create_app

        _app = create_app()
    return _app


@contextmanager
def app_context():
    if has_app_context():
        # Tests and in-process runs: reuse the caller's app and session.
        yield
        return
    app = worker_app()
    with app.app_context():
        from app.extensions import db

        try:
            yield
        finally:
            db.session.remove()


def job(queue: str, timeout: int = 600, retry=None, result_ttl: int = 600, failure_ttl: int = 7 * 24 * 3600):
    def decorator(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            with app_context():
                return fn(*args, **kwargs)

        def delay(*args, job_id: str | None = None, **kwargs):
            """Enqueue now. A `job_id` already queued is not queued twice."""
            q = get_queue(queue)
            if job_id is not None:
                existing = q.fetch_job(job_id)
                if existing is not None and existing.get_status(refresh=True) in ("queued", "started", "deferred", "scheduled"):
                    return existing
            return q.enqueue(run, args=args, kwargs=kwargs, job_id=job_id, job_timeout=timeout, retry=retry,
                             result_ttl=result_ttl, failure_ttl=failure_ttl)

        run.delay = delay
        run.queue_name = queue
        run.timeout = timeout
        return run

    return decorator
