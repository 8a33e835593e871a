"""Guarded status transitions: `UPDATE ... WHERE status IN (expected)`.

Every state change of a campaign goes through `transition`, so two workers
(or a job run twice) can never both make the same move.
"""
from __future__ import annotations

import logging

from sqlalchemy import update

from app.extensions import db
from app.models import Campaign
from app.models.campaigns import COLLECTING, SCHEDULED
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
