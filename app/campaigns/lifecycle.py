"""Guarded status transitions: `UPDATE ... WHERE status IN (expected)`.

Every state change of a campaign goes through `transition`, so two workers
(or a job run twice) can never both make the same move.
"""
from __future__ import annotations

import logging

from sqlalchemy import update

from app.extensions import db
from app.models import Campaign
from app.models.campaigns import CANCELED, COLLECTING, SCHEDULED
from app.timeutil import now_utc

log = logging.getLogger(__name__)


def transition(campaign_id: int, expected: tuple[str, ...] | str, new_status: str, **values) -> bool:
    """Move the campaign to `new_status` if it is in `expected`; True when this call made the move."""
    if isinstance(expected, str):
        expected = (expected,)
    result = db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status.in_(expected))
        .values(status=new_status, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    moved = result.rowcount == 1
    if moved:
        log.info("campaign=%s %s -> %s", campaign_id, "/".join(expected), new_status)
    return moved


def start(campaign_id: int) -> bool:
    """Start a scheduled campaign whose moment has come. A duplicate start does nothing."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.status != SCHEDULED:
        return False
    if campaign.scheduled_at > now_utc():
        # Rescheduled later than this job's moment: the newer start job will come.
        return False
    if not transition(campaign_id, SCHEDULED, COLLECTING, started_at=now_utc()):
        return False
    from app.campaigns.collection_hooks import begin_collection

    begin_collection(campaign_id)
    return True


def maybe_complete(campaign_id: int) -> bool:
    """Complete a sending (or paused) campaign once no client waits for the API and no delivery is open."""
    from app.models import CampaignClient, Delivery
    from app.models.campaigns import COMPLETED, DELIVERY_PENDING, DELIVERY_SENDING, OUTCOME_PENDING, PAUSED, SENDING

    waiting_client = db.session.execute(
        db.select(CampaignClient.id).where(CampaignClient.campaign_id == campaign_id,
                                           CampaignClient.outcome == OUTCOME_PENDING).limit(1)
    ).first()
    open_delivery = db.session.execute(
        db.select(Delivery.id).where(Delivery.campaign_id == campaign_id,
                                     Delivery.status.in_((DELIVERY_PENDING, DELIVERY_SENDING))).limit(1)
    ).first()
    if waiting_client or open_delivery:
        return False
    return transition(campaign_id, (SENDING, PAUSED), COMPLETED, finished_at=now_utc(), status_reason=None)


def start_job_id(campaign_id: int) -> str:
    """The rq-scheduler job id of a campaign's start (one per campaign, replaced on reschedule)."""
    return f"start-campaign-{campaign_id}"


def cancel(campaign_id: int, user=None, reason: str = "Cancelada pelo usuário") -> bool:
    """Cancel a campaign that has not finished. Its open deliveries are never sent afterwards."""
    from app.models.campaigns import COLLECTING, PAUSED, SENDING

    moved = transition(campaign_id, (SCHEDULED, COLLECTING, SENDING, PAUSED), CANCELED,
                       finished_at=now_utc(), status_reason=reason, canceled_by_id=getattr(user, "id", None))
    if moved:
        _unschedule_start(campaign_id)
    return moved


def _unschedule_start(campaign_id: int) -> None:
    try:
        from workers.runner import make_scheduler

        scheduler = make_scheduler()
        job_id = start_job_id(campaign_id)
        if job_id in scheduler:
            scheduler.cancel(job_id)
    except Exception:  # Redis down: the start job finds the campaign canceled and does nothing
        log.warning("campaign=%s start job not unscheduled (Redis unavailable)", campaign_id)
