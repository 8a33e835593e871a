"""`flask worker` and `flask scheduler`, registered through the `flask.commands` entry point (pyproject.toml)."""
from __future__ import annotations

import click


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--queue", "queues", multiple=True, help="Only these queues (default: all).")
def worker_command(burst: bool, queues: tuple[str, ...]):
    """Run an RQ worker on every queue."""
    from .runner import run_worker  # noqa: PLC0415  (importing the app at CLI load would slow every flask command)

    run_worker(burst=burst, queues=list(queues) or None)


@click.command("scheduler")
@click.option("--interval", default=5, show_default=True, help="Seconds between scheduler polls.")
@click.option("--burst", is_flag=True)
def scheduler_command(interval: int, burst: bool):
    """Run the scheduler (exactly one per installation)."""
    from .runner import run_scheduler  # noqa: PLC0415  (as above)

    run_scheduler(interval=interval, burst=burst)
