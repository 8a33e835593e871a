"""`flask worker` and `flask scheduler`, registered through the `flask.commands` entry point (pyproject.toml).

Both run in the app that `flask --app wsgi` loads (with_appcontext), so a worker uses the
same configuration as the web process.
"""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--queue", "queues", multiple=True, help="Only these queues (default: all).")
@with_appcontext
def worker_command(burst: bool, queues: tuple[str, ...]):
    """Run an RQ worker on every queue."""
    from .runner import run_worker, use_app  # noqa: PLC0415  (importing the app at CLI load would slow every command)

    use_app(current_app._get_current_object())
    run_worker(burst=burst, queues=list(queues) or None)


@click.command("scheduler")
@click.option("--interval", default=5, show_default=True, help="Seconds between scheduler polls.")
@click.option("--burst", is_flag=True)
@with_appcontext
def scheduler_command(interval: int, burst: bool):
    """Run the scheduler (exactly one per installation)."""
    from .runner import run_scheduler, use_app  # noqa: PLC0415  (as above)

    use_app(current_app._get_current_object())
    run_scheduler(interval=interval, burst=burst)
