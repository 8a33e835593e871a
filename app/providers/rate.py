"""The request rate cap of one operation's provider (PROVIDER_RATE_LIMIT), shared by every worker.

A creditor's rate limit counts all of Preventivo's requests, not one process's: with
four workers a per-process cap of 10/s would send 40/s and meet 429s. Each call
reserves the next free slot in Redis and sleeps until it (GCRA: the key holds the
moment of the next free slot, moved on by one interval per call, read from Redis's
own clock so the workers need no synchronised clocks).

Redis unreachable: the cap falls back to this process alone for a while (logged)
rather than stopping collection; the provider's 429s and Retry-After still hold.
"""
from __future__ import annotations

import logging
import threading
import time

from redis.exceptions import RedisError

from app.jobs import get_redis

log = logging.getLogger(__name__)
PREFIX = "preventivo:provider-rate:"
FALLBACK_SECONDS = 30.0  # after a Redis failure, stay local this long before trying Redis again

# Microseconds; %.0f keeps integers exact up to 2^53 (Lua's tostring would round to 14 digits).
_RESERVE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = tonumber(ARGV[1])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now then slot = now end
local after = slot + interval
redis.call('SET', KEYS[1], string.format('%.0f', after), 'PX', math.floor((after - now) / 1000) + 1000)
return string.format('%.0f', slot - now)
"""


class LocalRateLimiter:
    """Spaces calls 1/rate seconds apart across this process's threads (0 = no cap)."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


class SharedRateLimiter:
    """The cap of operation `code`, across every process that reaches the same Redis."""

    def __init__(self, code: str, rate: float, redis=None):
        """`redis`: the connection; by default the app's, resolved now, in the caller's thread, since
        the fetching threads have no app context to find REDIS_URL in."""
        self.key = PREFIX + code
        self.interval_us = int(1_000_000 / rate) if rate and rate > 0 else 0
        self._local = LocalRateLimiter(rate)
        self._local_until = 0.0
        self._script = None
        if self.interval_us:
            redis = redis if redis is not None else _app_redis()
            self._script = redis.register_script(_RESERVE) if redis is not None else None

    def wait(self) -> None:
        if not self.interval_us:
            return
        if self._script is None or time.monotonic() < self._local_until:
            self._local.wait()
            return
        try:
            delay_us = int(self._script(keys=[self.key], args=[self.interval_us]))
        except RedisError as exc:
            log.warning("provider rate cap %s: Redis unavailable (%s); capping this process only for %.0f s",
                        self.key, type(exc).__name__, FALLBACK_SECONDS)
            self._local_until = time.monotonic() + FALLBACK_SECONDS
            self._local.wait()
            return
        if delay_us > 0:
            time.sleep(delay_us / 1_000_000)


def _app_redis():
    """The configured Redis, or None where there is none (a script or test without REDIS_URL)."""

    try:
        return get_redis()
    except RuntimeError:
        return None
