"""Job entry points: a few lines each that call into app/. Jobs take ids and reload."""
from __future__ import annotations

from .jobs import job
from .queues import CAMPAIGNS, MAINTENANCE, SEND


@job(CAMPAIGNS, timeout=300)
def start_campaign(campaign_id: int) -> None:
    from app.campaigns.lifecycle import start

    start(campaign_id)


@job(MAINTENANCE, timeout=300)
def sweep() -> None:
    from app.campaigns.sweep import run_sweep

    run_sweep()


@job(SEND, timeout=1800)
def send_batch(campaign_id: int) -> None:
    from app.mailer.dispatch import run_batch

    run_batch(campaign_id)
