"""Named queues. Workers listen to all of them, in this order of priority."""
from __future__ import annotations

from rq import Queue

from .connection import get_redis

CAMPAIGNS = "campaigns"  # start, finish: small, urgent
COLLECT = "collect"  # provider calls, one job per chunk of clients
SEND = "send"  # SMTP batches
MAINTENANCE = "maintenance"  # sweep, retention
QUEUE_NAMES = (CAMPAIGNS, COLLECT, SEND, MAINTENANCE)


def get_queue(name: str) -> Queue:
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=get_redis())


def all_queues() -> list[Queue]:
    return [get_queue(name) for name in QUEUE_NAMES]
