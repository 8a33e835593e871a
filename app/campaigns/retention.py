"""LGPD retention: personal data of finished campaigns is deleted after RETENTION_DAYS.

CPFs, emails, names, agreements, boletos and delivery addresses go; the
campaign row, its counters and the delivery statuses stay, so reports of
past months still add up.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, update

from app.extensions import db
from app.jobs import MAINTENANCE, job
from app.models import Agreement, Boleto, Campaign, CampaignClient, Delivery, ImportIssue
from app.models.campaigns import FINAL_STATUSES
from app.timeutil import now_utc

log = logging.getLogger(__name__)


def campaigns_to_purge(before: datetime) -> list[int]:
    return list(db.session.execute(
        db.select(Campaign.id).where(
            Campaign.scheduled_at < before,
            Campaign.status.in_(FINAL_STATUSES),
            Campaign.personal_data_purged_at.is_(None),
        ).order_by(Campaign.id)
    ).scalars())


def purge_campaign(campaign_id: int) -> None:
    """Delete one campaign's personal data in one transaction (idempotent)."""
    db.session.execute(delete(Boleto).where(Boleto.campaign_id == campaign_id))
    db.session.execute(delete(Agreement).where(Agreement.campaign_id == campaign_id))
    db.session.execute(update(Delivery).where(Delivery.campaign_id == campaign_id)
                       .values(email=None, last_error=None).execution_options(synchronize_session=False))
    db.session.execute(update(CampaignClient).where(CampaignClient.campaign_id == campaign_id)
                       .values(cpf=None, emails="", name=None, error=None).execution_options(synchronize_session=False))
    db.session.execute(update(ImportIssue).where(ImportIssue.campaign_id == campaign_id)
                       .values(value=None).execution_options(synchronize_session=False))
    db.session.execute(update(Campaign).where(Campaign.id == campaign_id)
                       .values(personal_data_purged_at=now_utc()).execution_options(synchronize_session=False))
    db.session.commit()


def purge_before(before: datetime) -> list[int]:
    purged = []
    for campaign_id in campaigns_to_purge(before):
        purge_campaign(campaign_id)
        purged.append(campaign_id)
    if purged:
        log.info("retention: personal data of %s campaigns deleted (before %s)", len(purged), before.isoformat())
    return purged


def purge_expired() -> list[int]:
    """The periodic job: campaigns scheduled more than RETENTION_DAYS ago."""

    return purge_before(now_utc() - timedelta(days=current_app.config["RETENTION_DAYS"]))


@job(MAINTENANCE, timeout=3600)
def purge_job() -> None:
    """Hourly: personal data of campaigns older than RETENTION_DAYS is deleted."""
    purge_expired()
