"""How fast one SMTP service may be sent to, across every worker: its cap, and backing off when it says so.

- `max_per_minute` (the panel, 0 = none) is a hard cap, shared by every session of every worker
  (GCRA on Redis's clock, app.jobs.limits).
- A relay that answers a rate reply ("450 4.7.1 Error: too much mail", "throttled", "try again later")
  makes the service back off: every session stops taking messages until the backoff ends
  (SEND_THROTTLE_BACKOFF_SECONDS, doubled per refusal in a row, up to SEND_THROTTLE_MAX_BACKOFF_SECONDS).
  With a cap, the cap is honoured as it is. Without one, the service gets an effective rate: half
  the rate it was being sent at when it was refused (measured across every worker over the last
  ten seconds), halved again at each refusal and raised by a quarter after each clean stretch
  (about 15 s of clean replies) until it is no longer needed (additive increase would take too long
  at thousands a minute; this is multiplicative both ways). A refusal before anything was accepted
  measures nothing: it backs off without setting a pace (a guessed pace would be the slowest one, six
  a minute, and a campaign would crawl for minutes climbing back from it).

The state lives in Redis (`preventivo:smtp-throttle:<service id>`), so all workers back off together;
so do the acceptances of the last seconds (`preventivo:smtp-sent:<service id>:<second>`): a worker
refused the moment it started, before it sent anything, still knows the service's pace.
Redis unreachable: no shared backoff (each session still stops on its own refusal), the cap is per process,
and the pace is measured from this process's own acceptances.
"""
from __future__ import annotations

import collections
import logging
import threading
import time

from flask import current_app
from redis.exceptions import RedisError

from app.jobs.limits import SharedRateLimiter, app_redis
from app.models import EmailService

log = logging.getLogger(__name__)
STATE_PREFIX = "preventivo:smtp-throttle:"
PACE_PREFIX = "preventivo:smtp-rate:"
SENT_PREFIX = "preventivo:smtp-sent:"
MIN_RATE = 6.0  # messages per minute: the slowest an adaptive rate goes
DROP_RATE = 6000.0  # past this the adaptive rate is not needed any more
RECENT_SECONDS = 10  # the window a refused rate is measured over

# KEYS[1]: the service's state. ARGV: now, first backoff, longest backoff, cap (0: none), the rate the service
# was being sent at (per minute, 0: unknown), the slowest pace.
# Returns {until, rate, strikes}; strikes 0: a backoff was running.
_REFUSED = """
local now = tonumber(ARGV[1])
local running = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if running > now then
  return {tostring(running), redis.call('HGET', KEYS[1], 'rate') or '0', '0'}
end
local strikes = tonumber(redis.call('HGET', KEYS[1], 'strikes') or '0') + 1
local backoff = math.min(tonumber(ARGV[2]) * 2 ^ (strikes - 1), tonumber(ARGV[3]))
local cap = tonumber(ARGV[4])
local rate = cap
if cap == 0 then
  local base = tonumber(redis.call('HGET', KEYS[1], 'rate') or '0')
  if base <= 0 then base = tonumber(ARGV[5]) end
  rate = 0
  if base > 0 then
    rate = math.max(tonumber(ARGV[6]), 0.5 * base)
    redis.call('HSET', KEYS[1], 'rate', tostring(rate))
  end
end
redis.call('HSET', KEYS[1], 'until', tostring(now + backoff), 'strikes', tostring(strikes), 'clean', '0')
redis.call('EXPIRE', KEYS[1], 3600)
return {tostring(now + backoff), tostring(rate), tostring(strikes)}
"""

# Acceptance times per service in this process: the measure when Redis is out of reach.
_recent: dict[int, collections.deque] = collections.defaultdict(lambda: collections.deque(maxlen=2000))
_recent_lock = threading.Lock()


def note_accepted(service_id: int) -> None:
    with _recent_lock:
        _recent[service_id].append(time.monotonic())


def _sent_key(service_id: int, second: int) -> str:
    return f"{SENT_PREFIX}{service_id}:{second}"


def recent_rate(service_id: int, redis=None) -> float:
    """Messages per minute the service was sent at over the last RECENT_SECONDS (0: none), across every worker
    when Redis answers (per-second counters), else by this process alone."""
    if redis is not None:
        now = time.time()
        second = int(now)
        try:
            counts = redis.mget([_sent_key(service_id, second - i) for i in range(RECENT_SECONDS)])
        except RedisError:
            counts = None
        if counts is not None:
            seen = [(second - i, int(count)) for i, count in enumerate(counts) if count]
            if not seen:
                return 0.0
            oldest = seen[-1][0]
            return 60.0 * sum(count for _second, count in seen) / max(1.0, now - oldest)
    now = time.monotonic()
    with _recent_lock:
        times = [t for t in _recent[service_id] if now - t <= RECENT_SECONDS]
    if not times:
        return 0.0
    return 60.0 * len(times) / max(1.0, now - times[0])


class Throttle:
    """One service's pace: `wait()` before each message; `paused_for()`, `refused()`, `accepted()`."""

    def __init__(self, service: EmailService, redis=None):
        self.service_id, self.name, self.cap = service.id, service.name, float(service.max_per_minute or 0)
        self.key = STATE_PREFIX + str(service.id)
        self._redis = redis if redis is not None else app_redis()
        self._rate = None
        self._pacer = None
        self._until = 0.0
        self.refresh()

    # --- state ---
    def _state(self) -> dict:
        if self._redis is None:
            return {}
        try:
            return {k.decode(): float(v) for k, v in self._redis.hgetall(self.key).items()}
        except RedisError:
            return {}

    def refresh(self) -> None:
        """Read the shared state (every session does, every half second)."""
        state = self._state()
        self._until = state.get("until", 0.0)
        rate = self.cap or state.get("rate", 0.0)
        if rate != self._rate:
            self._rate = rate
            self._pacer = SharedRateLimiter(PACE_PREFIX + str(self.service_id), rate / 60.0, self._redis) if rate else None

    @property
    def rate(self) -> float:
        """Messages per minute this service is paced at now (0: not paced)."""
        return self._rate or 0.0

    def paused_for(self) -> float:
        """Seconds left of the backoff (0: none)."""
        return max(0.0, self._until - time.time())

    def wait(self) -> None:
        if self._pacer is not None:
            self._pacer.wait()

    # --- events ---
    def refused(self, reason: str) -> float:
        """The relay said "too fast": back off (shared), lower the pace; returns the end of the backoff (epoch s).

        Sessions that were in flight together are refused together: while a backoff runs, another refusal
        changes nothing (or four sessions would quarter the pace at once). The check and the change are one
        Redis script, so two workers refused at the same moment make one step.
        """
        config = current_app.config
        now = time.time()
        args = [now, config["SEND_THROTTLE_BACKOFF_SECONDS"], config["SEND_THROTTLE_MAX_BACKOFF_SECONDS"], self.cap,
                recent_rate(self.service_id, self._redis), MIN_RATE]
        try:
            until, rate, strikes = (float(v) for v in self._redis.register_script(_REFUSED)(keys=[self.key], args=args))
        except (RedisError, AttributeError):  # no Redis: this session backs off alone
            until, rate, strikes = now + config["SEND_THROTTLE_BACKOFF_SECONDS"], self.cap, 1
            self._until = until
        if strikes:
            log.warning("service=%s throttled by the relay (%.0f in a row): back off %.0f s, pace %s: %s", self.name,
                        strikes, until - now, f"{rate:.0f}/min" if rate else "free", reason)
        self.refresh()
        return until

    def accepted(self) -> None:
        """A clean reply: counted for the service's measured rate; after a clean stretch, the adaptive pace goes up
        (and away when not needed). One round trip to Redis; none for a capped service (its pace is the cap)."""
        note_accepted(self.service_id)
        if self._redis is None or self.cap:
            return
        paced = bool(self._rate)
        sent = _sent_key(self.service_id, int(time.time()))
        try:
            pipe = self._redis.pipeline(transaction=False)
            pipe.incr(sent)
            pipe.expire(sent, 2 * RECENT_SECONDS)
            if paced:
                pipe.hincrby(self.key, "clean", 1)
            replies = pipe.execute()
            if not paced:
                return
            clean = replies[-1]
            if clean >= max(5.0, self._rate / 4):
                rate = self._rate * 1.25
                if rate > DROP_RATE:
                    self._redis.delete(self.key)
                else:
                    self._write({"rate": rate, "clean": 0, "strikes": 0})
        except RedisError:
            pass

    def _write(self, values: dict) -> None:
        if self._redis is None:
            self._until = values.get("until", self._until)
            return
        try:
            pipe = self._redis.pipeline()
            pipe.hset(self.key, mapping={k: repr(float(v)) for k, v in values.items()})
            pipe.expire(self.key, 3600)
            pipe.execute()
        except RedisError:
            self._until = values.get("until", self._until)
