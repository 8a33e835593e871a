"""The details page's actions: change a campaign's date, cancel it, retry its failed deliveries.

Both are for whoever may manage the campaign (`campaigns.scheduling.can_manage`: its creator
or an admin), the one rule of every state-changing route of a campaign (panel and API).
"""
from __future__ import annotations

import logging

from sqlalchemy import update

from app import audit
from app.campaigns import lifecycle
from app.campaigns import scheduling
from app.campaigns.scheduling import can_manage
from app.campaigns.sending import enqueue_sending
from app.extensions import db
from app.models import Campaign, Delivery
from app.models.campaigns import COMPLETED, DELIVERY_FAILED, DELIVERY_PENDING, PAUSED, SENDING, bump_counters

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = (SENDING, PAUSED, COMPLETED)
RESCHEDULABLE_STATUSES = lifecycle.MOVES["schedule"][0]
CANCELABLE_STATUSES = lifecycle.MOVES["cancel"][0]


def allowed(campaign: Campaign, user) -> dict[str, bool]:
    """Which actions the details page offers this user: the lifecycle's moves, for whoever may manage it."""
    manageable = can_manage(user, campaign)
    return {
        "can_reschedule": manageable and campaign.status in RESCHEDULABLE_STATUSES,
        "can_cancel": manageable and campaign.status in CANCELABLE_STATUSES,
        "can_retry": (manageable and campaign.status in RETRYABLE_STATUSES
                      and (campaign.emails_failed or 0) > 0),
    }


class ActionRefused(Exception):
    """The action cannot run now; the message is shown to the user (pt-BR)."""


class NotAllowed(Exception):
    """This user may not manage this campaign (403)."""


class CampaignMissing(Exception):
    """No such campaign (404)."""


def _managed(campaign_id: int, user) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignMissing(campaign_id)
    if not can_manage(user, campaign):
        raise NotAllowed(campaign_id)
    return campaign


def reschedule(campaign_id: int, user, text: str):
    """Move a campaign that has not started to the moment typed or picked (`text`); returns the moment.
    ScheduleError (bad or past moment) and ActionRefused (it already started) carry the pt-BR message."""
    campaign = _managed(campaign_id, user)
    moment = scheduling.parse_local_input(text)
    if not scheduling.reschedule(campaign, moment, user=user):
        raise ActionRefused(f"A data não pode mais ser alterada: a campanha está {campaign.status_label.lower()}.")
    return moment


def cancel(campaign_id: int, user) -> None:
    _managed(campaign_id, user)
    if not lifecycle.cancel(campaign_id, user):
        raise ActionRefused("A campanha não pode mais ser cancelada (já terminou ou foi cancelada).")
    audit.record("campaign.cancel", target=db.session.get(Campaign, campaign_id), user=user)
    db.session.commit()


def retry_failed(campaign_id: int, user) -> int:
    """Failed deliveries back to pending (attempts 0), counters fixed, a completed campaign back
    to sending, and the send jobs enqueued. Returns how many deliveries will be retried."""
    campaign = _managed(campaign_id, user)
    if campaign.status not in RETRYABLE_STATUSES:
        raise ActionRefused(f"Não é possível reenviar as falhas de uma campanha {campaign.status_label.lower()}.")
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.campaign_id == campaign_id, Delivery.status == DELIVERY_FAILED)
        .values(status=DELIVERY_PENDING, attempts=0, next_attempt_at=None, claim_token=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    retried = result.rowcount or 0
    if retried == 0:
        db.session.rollback()
        raise ActionRefused("Não há envios com falha para reenviar.")
    bump_counters(campaign_id, emails_failed=-retried, emails_pending=retried)
    audit.record("campaign.retry_failed", target=campaign, details={"deliveries": retried}, user=user)
    if campaign.status == COMPLETED:
        # The move commits the deliveries, the counters and the status together. Failing to move
        # means a concurrent retry already reopened it: the deliveries are pending either way.
        if not lifecycle.reopen(campaign_id):
            log.warning("campaign=%s was no longer completed when its failures were retried", campaign_id)
    else:
        db.session.commit()
    db.session.expire_all()
    enqueue_sending(campaign_id)
    log.info("campaign=%s %s failed deliveries back to pending", campaign_id, retried)
    return retried
