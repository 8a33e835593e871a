"""Several SMTP sessions per service at once, never more than its `max_connections` across every worker.

A real relay takes tens or hundreds of milliseconds to accept a message; one session per worker
leaves it idle most of the time. A send job therefore drives up to `max_connections` sessions at
once, each a thread with its own connection, its own claimed deliveries (claims, leases and the
exactly-once recording work as with one session) and its own database session. Each session holds
a slot of the service's semaphore in Redis (`SessionSlot`), leased for SEND_SESSION_LEASE_SECONDS
and renewed while it lives, so a killed worker's slots come back by themselves.

On SQLite, which has one writer, a job drives one session.
"""
from __future__ import annotations

import logging
import threading
import time

from flask import current_app

from app.extensions import db
from app.jobs.limits import SharedSemaphore
from app.models import EmailService

log = logging.getLogger(__name__)
PREFIX = "preventivo:smtp-sessions:"


class SessionSlot:
    """The right to hold one SMTP session open to one service (the service may change: `take` swaps)."""

    def __init__(self, lease_seconds: float | None = None):
        self.lease = lease_seconds or current_app.config["SEND_SESSION_LEASE_SECONDS"]
        self.service_id: int | None = None
        self._semaphore: SharedSemaphore | None = None
        self._holder: str | None = None
        self._renewed = 0.0

    def take(self, service: EmailService, wait_seconds: float = 2.0) -> bool:
        """Hold a slot of `service` (giving back one of another service); False when all are taken."""
        if self.service_id == service.id and self._holder is not None:
            return True
        self.release()
        semaphore = SharedSemaphore(PREFIX + str(service.id), service.max_connections or 1, self.lease)
        holder = semaphore.acquire(wait_seconds=wait_seconds)
        if holder is None:
            return False
        self._semaphore, self._holder, self.service_id = semaphore, holder, service.id
        self._renewed = time.monotonic()
        return True

    def renew(self) -> bool:
        """Keep the slot (call often: at least every third of the lease); False if it was lost."""
        if self._holder is None or time.monotonic() - self._renewed < self.lease / 3:
            return True
        self._renewed = time.monotonic()
        return self._semaphore.renew(self._holder)

    def release(self) -> None:
        if self._semaphore is not None:
            self._semaphore.release(self._holder)
        self._semaphore = self._holder = self.service_id = None


def session_count(service: EmailService, due: int) -> int:
    """How many sessions a job starts: up to the service's max_connections, never more than the work, and never
    more than one process drives (SEND_SESSIONS_PER_PROCESS: its database pool is sized for that many)."""
    if db.engine.dialect.name != "postgresql":
        return 1  # SQLite has one writer: more sessions would only wait on its lock
    per_process = max(1, current_app.config["SEND_SESSIONS_PER_PROCESS"])
    return max(1, min(service.max_connections or 1, due, per_process))


def run_in_threads(count: int, work, *args) -> list:
    """Run `work(*args)` in `count` threads, each inside its own app context (and database session);
    returns their results (an exception is logged and counted as None)."""
    app = current_app._get_current_object()
    results: list = [None] * count

    def session(index: int) -> None:
        with app.app_context():
            try:
                results[index] = work(*args)
            except Exception:
                log.exception("SMTP session %s of %s failed", index + 1, count)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=session, args=(i,), name=f"smtp-session-{i + 1}") for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
