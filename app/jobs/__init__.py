"""Jobs below the domain: the Redis connection, the queues, the `@job` decorator and the start scheduler.

This package imports no domain code, so every layer above it can enqueue work:
a job function lives next to the domain code it runs (for example
`app.campaigns.collection.collect_chunk_job`), declares its queue and limits
with `@job(...)`, and callers use `.delay(...)`. The processes that run jobs
(the worker and the scheduler) are in `workers/`.
"""
from .connection import get_redis, redis_url, reset_connections
from .decorator import job
from .inspection import job_started_at, job_status, queued_job_args
from .queues import CAMPAIGNS, COLLECT, MAINTENANCE, QUEUE_NAMES, SEND, all_queues, get_queue
from .scheduler import make_scheduler, schedule_at, unschedule

__all__ = [
    "CAMPAIGNS", "COLLECT", "MAINTENANCE", "QUEUE_NAMES", "SEND", "all_queues", "get_queue", "get_redis", "job",
    "job_started_at", "job_status", "make_scheduler", "queued_job_args", "redis_url", "reset_connections",
    "schedule_at", "unschedule",
]
