"""Slow creditor: 2,000 CPFs from the sandbox answering in 300 ms, two worker processes.

PROVIDER_CONCURRENCY (16) is one bound for every worker, so the most the creditor allows is
16 / 0.3 s = 53 CPFs a second whatever the number of workers; the goal is 80% of it.

    python -m benchmarks.creditor [CPFS] [LATENCY] [WORKERS]
"""
from __future__ import annotations

import sys

from benchmarks import collection


def run(cpfs: int = 2_000, latency: float = 0.3, workers: int = 2, concurrency: int = 16) -> dict:
    return collection.run(cpfs, workers, latency, concurrency)


if __name__ == "__main__":
    args = [float(a) if i == 1 else int(a) for i, a in enumerate(sys.argv[1:4])]
    r = run(*args)
    print(f"{r['cpfs']} CPFs in {r['seconds']} s = {r['cpfs_per_s']}/s; bound {r['bound_all_workers']:.0f}/s "
          f"({100 * r['cpfs_per_s'] / r['bound_all_workers']:.0f}%)")
