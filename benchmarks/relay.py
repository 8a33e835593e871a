"""Distant relay: the whole sending path against an SMTP server that takes 250 ms to accept each message and
serves sessions in parallel, with two worker processes (the service allows 10 sessions at once).

What it shows is how many of the allowed sessions are kept busy: messages a second x 0.25 s. With one
session per worker it would be about 2 (8 messages a second); the goal is 9 of 10 (36 a second), so
10,000 emails leave in under 5 minutes.

    python -m benchmarks.relay [N] [DELAY] [WORKERS]

PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL): on SQLite a job drives one session.
"""
from __future__ import annotations

import sys

from benchmarks import sending


def run(n: int = 2_000, delay: float = 0.25, workers: int = 2, max_connections: int = 10,
        batch_size: int = 200) -> dict:
    return sending.run(n, emails_per_client=1, batch_size=batch_size, workers=workers, relay_delay=delay,
                       max_connections=max_connections)


if __name__ == "__main__":
    import logging

    logging.disable(logging.WARNING)
    args = [float(a) if i == 1 else int(a) for i, a in enumerate(sys.argv[1:4])]
    figures = run(*args)
    print(f"{figures['messages']} messages in {figures['path_seconds']} s = {figures['path_per_second']}/s; "
          f"{figures['sessions_busy']} of {figures['max_connections']} sessions busy ({figures['database']})")
