"""How hard Preventivo may press one operation's creditor API, across every worker.

A creditor counts all of Preventivo's requests, not one process's: with four workers a
per-process cap of 10/s would send 40/s and meet 429s, and a per-process bound of 16
connections would hold 64. So both are shared through Redis (app.jobs.limits):

- PROVIDER_RATE_LIMIT: requests per second per operation (GCRA on Redis's clock);
- PROVIDER_CONCURRENCY: requests in flight per operation, a lease-based semaphore, so a
  killed worker's slots come back after PROVIDER_TIMEOUT plus a margin.

Redis unreachable: both fall back to this process alone for a while (logged).
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager

from app.jobs.limits import SharedRateLimiter, SharedSemaphore

RATE_PREFIX = "preventivo:provider-rate:"
SLOTS_PREFIX = "preventivo:provider-slots:"
LEASE_MARGIN_SECONDS = 30


def rate_limiter(code: str, rate: float, redis=None) -> SharedRateLimiter:
    return SharedRateLimiter(RATE_PREFIX + code, rate, redis)


class RequestSlots:
    """`with slots.held():` around requests: at most `limit` in flight for the operation, across workers.

    Re-entrant per thread: a fetching thread takes its slot once for all the requests it makes in a row
    (one Redis round trip per thread, not per request) and renews the lease as it goes.
    """

    def __init__(self, code: str, limit: int, timeout: float, redis=None):
        self.lease = timeout + LEASE_MARGIN_SECONDS
        self.semaphore = SharedSemaphore(SLOTS_PREFIX + code, limit, self.lease, redis)
        self.timeout = timeout
        self._mine = threading.local()

    @contextmanager
    def held(self):
        holder = getattr(self._mine, "holder", None)
        if holder is not None:  # this thread already holds a slot: keep it alive
            if time.monotonic() - self._mine.renewed > self.lease / 3:
                self.semaphore.renew(holder)
                self._mine.renewed = time.monotonic()
            yield
            return
        # A request waits for a slot as long as a request may take; past that something is stuck elsewhere.
        self._mine.holder = self.semaphore.acquire(wait_seconds=self.lease)
        self._mine.renewed = time.monotonic()
        try:
            yield
        finally:
            self.semaphore.release(self._mine.holder)
            self._mine.holder = None
