"""`flask sandbox`: run the sandbox provider (the default provider of every operation under make run)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app

from app.providers.sandbox import make_sandbox_server


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5050, show_default=True, type=int)
@click.option("--latency", default=0.0, show_default=True, type=float, help="Seconds added to every answer.")
@click.option("--failure-rate", default=0.0, show_default=True, type=float, help="Share of answers that are HTTP 500.")
@click.option("--token", default=None, help="Bearer token required (default: any).")
@click.option("--today", default=None, help="Reference day YYYY-MM-DD (default: today in TIMEZONE).")
def sandbox_command(host, port, latency, failure_rate, token, today):
    """Serve the provider contract with deterministic answers per CPF."""

    zone = ZoneInfo(current_app.config["TIMEZONE"])

    def local_today() -> date:
        return datetime.now(zone).date()

    server = make_sandbox_server(host=host, port=port, latency=latency, failure_rate=failure_rate, token=token,
                                 today=date.fromisoformat(today) if today else None, today_fn=local_today)
    click.echo(f"sandbox provider on {server.url} (latency {latency:g}s, failure rate {failure_rate:g})")
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
