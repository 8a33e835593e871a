"""A campaign's progress, from its counters only (cheap enough to poll every few seconds)."""
from __future__ import annotations

from datetime import timedelta

from app.models.campaigns import (
    CAMPAIGN_STATUS_LABELS,
    COLLECTING,
    COMPLETED,
    PAUSED,
    RUNNING_STATUSES,
    SCHEDULED,
    SENDING,
)
from app.timeutil import fmt_datetime, now_utc

# A page shows a scheduled campaign this close to its start as live: it keeps polling, so the
# operator who just created a campaign "starting now" sees it move without reloading.
WATCH_AHEAD = timedelta(minutes=15)

PHASE_LABELS = {COLLECTING: "Coletando acordos", SENDING: "Enviando emails", PAUSED: "Envio pausado"}


def percent(campaign) -> int:
    """Collecting: clients collected of Registros. Sending/paused: messages settled (sent or failed)
    of all messages so far. Completed: 100."""
    if campaign.status == COMPLETED:
        return 100
    if campaign.status == COLLECTING:
        done, total = campaign.clients_collected or 0, campaign.records or 0
    elif campaign.status in (SENDING, PAUSED):
        done = (campaign.emails_sent or 0) + (campaign.emails_failed or 0)
        total = done + (campaign.emails_pending or 0)
    else:
        return 0
    if total <= 0:
        return 0
    return max(0, min(100, int(done * 100 / total)))


def watched(campaign) -> bool:
    """Worth polling: running, or scheduled to start within WATCH_AHEAD (or overdue)."""
    if campaign.status in RUNNING_STATUSES:
        return True
    return (campaign.status == SCHEDULED and campaign.scheduled_at is not None
            and campaign.scheduled_at <= now_utc() + WATCH_AHEAD)


def progress_dict(campaign) -> dict:
    """What the live pages update: status, progress and the counters they show."""
    return {
        "id": campaign.id,
        "status": campaign.status,
        "status_label": CAMPAIGN_STATUS_LABELS.get(campaign.status, campaign.status),
        "status_reason": campaign.status_reason or "",
        "running": campaign.status in RUNNING_STATUSES,
        "watch": watched(campaign),
        "phase": PHASE_LABELS.get(campaign.status, ""),
        "percent": percent(campaign),
        "counters": {
            "records": campaign.records or 0,
            "agreements": campaign.agreements or 0,
            "clients_collected": campaign.clients_collected or 0,
            "boletos_selected": campaign.boletos_selected or 0,
            "emails_sent": campaign.emails_sent or 0,
            "emails_failed": campaign.emails_failed or 0,
            "emails_pending": campaign.emails_pending or 0,
            "emails_bounced": campaign.emails_bounced or 0,
            "emails_suppressed": campaign.emails_suppressed or 0,
        },
        "timeline": {
            "started_at": fmt_datetime(campaign.started_at),
            "collected_at": fmt_datetime(campaign.collected_at),
            "finished_at": fmt_datetime(campaign.finished_at),
        },
    }
