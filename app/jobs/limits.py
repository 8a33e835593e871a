"""Limits shared by every worker through Redis: a request rate (GCRA) and a number of things at once
(a lease-based semaphore). Both read Redis's own clock, so the workers need no synchronised clocks.

- `SharedRateLimiter`: each call reserves the next free slot and sleeps until it (the key holds the
  moment of the next free slot, moved on by one interval per call). A creditor's or a relay's rate
  limit counts all of Preventivo's requests, not one process's.
- `SharedSemaphore`: at most `limit` holders at once; a holder's slot has a lease it renews while
  it works, so a killed worker's slots come back when their lease runs out.

Redis unreachable: each falls back to this process alone for a while (logged) rather than stopping
the work; the remote side's own refusals still hold.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid

from redis.exceptions import RedisError

from .connection import get_redis

log = logging.getLogger(__name__)
FALLBACK_SECONDS = 30.0  # after a Redis failure, stay local this long before trying Redis again

# Microseconds; %.0f keeps integers exact up to 2^53 (Lua's tostring would round to 14 digits).
_RESERVE_SLOT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = tonumber(ARGV[1])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now then slot = now end
local after = slot + interval
redis.call('SET', KEYS[1], string.format('%.0f', after), 'PX', math.floor((after - now) / 1000) + 1000)
return string.format('%.0f', slot - now)
"""

# KEYS[1]: a sorted set holder -> lease end (ms). ARGV: limit, lease ms, holder. 1 when the holder has a slot.
_ACQUIRE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[3]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
  return 1
end
return 0
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
    """`rate` calls per second under `key`, across every process that reaches the same Redis (0 = no cap)."""

    def __init__(self, key: str, rate: float, redis=None):
        """`redis`: the connection; by default the app's, resolved now, in the caller's thread (threads that
        call `wait` later may have no app context to find REDIS_URL in)."""
        self.key = key
        self.interval_us = int(1_000_000 / rate) if rate and rate > 0 else 0
        self._local = LocalRateLimiter(rate)
        self._local_until = 0.0
        self._script = None
        if self.interval_us:
            redis = redis if redis is not None else app_redis()
            self._script = redis.register_script(_RESERVE_SLOT) if redis is not None else None

    def wait(self) -> None:
        if not self.interval_us:
            return
        if self._script is None or time.monotonic() < self._local_until:
            self._local.wait()
            return
        try:
            delay_us = int(self._script(keys=[self.key], args=[self.interval_us]))
        except RedisError as exc:
            log.warning("rate cap %s: Redis unavailable (%s); capping this process only for %.0f s",
                        self.key, type(exc).__name__, FALLBACK_SECONDS)
            self._local_until = time.monotonic() + FALLBACK_SECONDS
            self._local.wait()
            return
        if delay_us > 0:
            time.sleep(delay_us / 1_000_000)


class SharedSemaphore:
    """At most `limit` holders of `key` at once, across every process that reaches the same Redis.

    `acquire()` returns a holder id (a slot, leased for `lease_seconds`) or None; `renew()` keeps it,
    `release()` gives it back. A holder that dies without releasing loses its slot when the lease ends.
    """

    def __init__(self, key: str, limit: int, lease_seconds: float, redis=None):
        self.key, self.limit = key, max(1, int(limit))
        self.lease_ms = max(1000, int(lease_seconds * 1000))
        self._freed = key + ":freed"
        redis = redis if redis is not None else app_redis()
        self._redis = redis
        self._script = redis.register_script(_ACQUIRE) if redis is not None else None
        self._local = _local_semaphore(key, self.limit)
        self._local_holders: set[str] = set()
        self._local_until = 0.0

    def acquire(self, wait_seconds: float = 0.0, poll_seconds: float = 0.2) -> str | None:
        """A slot, waiting up to `wait_seconds` for one to free up; None when there is none.

        A waiter sleeps on a Redis list that `release` pushes to, so a freed slot is taken at once
        (polling alone would leave it idle for up to `poll_seconds`); the poll covers expired leases.
        """
        holder = uuid.uuid4().hex
        deadline = time.monotonic() + wait_seconds
        while True:
            if self._try(holder):
                return holder
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self._wait_for_release(min(left, poll_seconds))

    def renew(self, holder: str) -> bool:
        """Extend the holder's lease; False if it was lost (expired and taken, or Redis flushed and full)."""
        return self._try(holder)

    def release(self, holder: str | None) -> None:
        if holder is None:
            return
        if holder in self._local_holders:
            self._local_holders.discard(holder)
            self._local.release()
            return
        try:
            pipe = self._redis.pipeline()
            pipe.zrem(self.key, holder)
            pipe.lpush(self._freed, 1)
            pipe.ltrim(self._freed, 0, self.limit - 1)
            pipe.pexpire(self._freed, self.lease_ms)
            pipe.execute()
        except RedisError:
            pass  # the lease runs out by itself

    def _wait_for_release(self, seconds: float) -> None:
        if self._script is None or time.monotonic() < self._local_until:
            time.sleep(seconds)
            return
        try:
            self._redis.blpop([self._freed], timeout=max(seconds, 0.01))
        except RedisError:
            time.sleep(seconds)

    def _try(self, holder: str) -> bool:
        if holder in self._local_holders:
            return True
        if self._script is not None and time.monotonic() >= self._local_until:
            try:
                return bool(self._script(keys=[self.key], args=[self.limit, self.lease_ms, holder]))
            except RedisError as exc:
                log.warning("semaphore %s: Redis unavailable (%s); limiting this process only for %.0f s",
                            self.key, type(exc).__name__, FALLBACK_SECONDS)
                self._local_until = time.monotonic() + FALLBACK_SECONDS
        if self._local.acquire(blocking=False):
            self._local_holders.add(holder)
            return True
        return False


_locals: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_locals_lock = threading.Lock()


def _local_semaphore(key: str, limit: int) -> threading.BoundedSemaphore:
    """This process's stand-in for a shared semaphore while Redis is away (one per key and limit)."""
    with _locals_lock:
        return _locals.setdefault((key, limit), threading.BoundedSemaphore(limit))


def app_redis():
    """The configured Redis, or None where there is none (a script or test without REDIS_URL)."""
    try:
        return get_redis()
    except RuntimeError:
        return None
