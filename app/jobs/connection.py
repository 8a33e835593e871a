"""The Redis connection, from REDIS_URL (explicit `connection=` everywhere, RQ 2+ style).

Web-side users of Redis (the login throttle, the refused-lines report, the
provider rate cap, /healthz) take their connection here too: one client per
URL per process.
"""
from __future__ import annotations

import os
import threading

from flask import current_app, has_app_context
from redis import Redis

_lock = threading.Lock()
_clients: dict[str, Redis] = {}


def redis_url() -> str:
    # Outside an app (benchmarks, the mail catcher's tests) REDIS_URL comes from the environment.
    url = current_app.config["REDIS_URL"] if has_app_context() else None
    url = url or os.environ.get("REDIS_URL")
    if not url:
        raise RuntimeError("REDIS_URL is not set (make run and make test start an embedded Redis for you)")
    return url


def get_redis() -> Redis:
    url = redis_url()
    with _lock:
        client = _clients.get(url)
        if client is None:
            client = Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30, health_check_interval=30)
            _clients[url] = client
        return client


def reset_connections() -> None:
    """Forget cached clients (after a fork, or when a test swaps Redis)."""
    with _lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
