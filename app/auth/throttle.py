"""Failed logins counted per client address: slows password spraying across many accounts.

The lock per (e-mail, address) (credentials.py, `login_locks`) stops one address guessing
one e-mail's password; it does nothing against one address trying a few passwords on each
of many e-mails. This counts every failed login (and every "Esqueci minha senha" request) per
address in Redis (shared by every web process) over a window; past the limit, that address
gets 429 until the window ends, even with a right password. Redis unreachable: the throttle
steps aside (logged), the locks in the database still hold.
"""
from __future__ import annotations

import logging

from flask import current_app, request
from redis.exceptions import RedisError

from app.jobs import get_redis

log = logging.getLogger(__name__)
PREFIX = "preventivo:login-failures:"


def client_address() -> str:
    # Behind a platform router, `remote_addr` is the proxy unless TRUSTED_PROXIES lets ProxyFix read X-Forwarded-For.
    return request.remote_addr or "unknown"


def _redis():
    return get_redis()


def seconds_blocked(address: str) -> int:
    """0 when the address may try; else the seconds until its window ends."""
    limit = current_app.config["LOGIN_IP_MAX_FAILURES"]
    if limit <= 0:
        return 0
    try:
        redis = _redis()
        failures = int(redis.get(PREFIX + address) or 0)
        if failures < limit:
            return 0
        return max(1, int(redis.ttl(PREFIX + address)))
    except RedisError as exc:
        log.warning("login throttle unavailable (%s): relying on the account lock-out", type(exc).__name__)
        return 0


def record_failure(address: str) -> None:
    if current_app.config["LOGIN_IP_MAX_FAILURES"] <= 0:
        return
    key = PREFIX + address
    try:
        redis = _redis()
        with redis.pipeline() as pipe:
            # The window starts with the first failure (SET NX: Redis 6 has no EXPIRE NX).
            pipe.set(key, 0, ex=current_app.config["LOGIN_IP_WINDOW_SECONDS"], nx=True)
            pipe.incr(key)
            _, count = pipe.execute()
        if count == current_app.config["LOGIN_IP_MAX_FAILURES"]:
            log.warning("login throttled for address %s after %s failures", address, count)
    except RedisError as exc:
        log.warning("login throttle unavailable (%s): relying on the account lock-out", type(exc).__name__)
