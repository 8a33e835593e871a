"""Job entry points: a few lines each that call into app/. Jobs take ids and reload."""
from __future__ import annotations

from .jobs import job
from .queues import CAMPAIGNS, COLLECT, MAINTENANCE, SEND


@job(CAMPAIGNS, timeout=300)
def start_campaign(campaign_id: int) -> None:
    from app.campaigns.lifecycle import start

    start(campaign_id)


@job(MAINTENANCE, timeout=300)
def sweep() -> None:
    from app.campaigns.sweep import run_sweep

    run_sweep()


@job(MAINTENANCE, timeout=3600)
def purge_expired_personal_data() -> None:
    from app.campaigns.retention import purge_expired

    purge_expired()


@job(COLLECT, timeout=1800)
def collect_chunk(campaign_id: int, seq: int) -> None:
    from rq import get_current_job

    from app.campaigns.collection import collect_chunk as collect

    current = get_current_job()
    collect(campaign_id, seq, job_id=current.id if current else None)


@job(SEND, timeout=1800)
def send_batch(campaign_id: int) -> None:
    from app.mailer.dispatch import run_batch

    run_batch(campaign_id)
