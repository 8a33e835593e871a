"""What a campaign looks like from the database, to show that a refused request changed nothing."""
from __future__ import annotations

from app.extensions import db
from app.models import AuditEvent, Campaign, Delivery


def campaign_state(campaign_id: int) -> dict:
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign_id)
    deliveries = db.session.execute(
        db.select(Delivery.id, Delivery.status, Delivery.attempts).where(Delivery.campaign_id == campaign_id)
        .order_by(Delivery.id)).all()
    return {
        "status": campaign.status,
        "scheduled_at": campaign.scheduled_at,
        "campaign_day": campaign.campaign_day,
        "counters": (campaign.emails_sent, campaign.emails_failed, campaign.emails_pending),
        "deliveries": [tuple(row) for row in deliveries],
        "audit": db.session.execute(db.select(db.func.count(AuditEvent.id))).scalar_one(),
    }
