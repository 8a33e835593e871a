"""The stall watchdog: catch what nobody foresaw.

A campaign collecting or sending that has work it could do now and makes no progress for
STALL_MINUTES raises one "Campanha parada" alert naming what it waits for and the last error
seen; its page shows the same words. Progress is read from the counters (clients collected,
emails sent and failed), so the hot paths write nothing for it; the sweep compares. The stall
clears by itself when progress resumes.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from markupsafe import Markup
from sqlalchemy import select, update

from app.alerts import send_admin_alert
from app.extensions import db
from app.mailer import claims
from app.mailer.bindings import binding_of
from app.models import Campaign, CampaignClient, Delivery
from app.models.campaigns import COLLECTING, DELIVERY_PENDING, DELIVERY_SENDING, OUTCOME_PENDING, SENDING
from app.timeutil import fmt_datetime, now_utc

log = logging.getLogger(__name__)


def _mark(campaign: Campaign) -> str:
    return f"{campaign.status}:{campaign.clients_collected}:{campaign.emails_sent}:{campaign.emails_failed}"


def watch_campaigns() -> int:
    """Sweep step: record progress, flag campaigns stalled for STALL_MINUTES; returns how many were flagged now."""
    now = now_utc()
    limit = timedelta(minutes=current_app.config["STALL_MINUTES"])
    flagged = 0
    campaigns = db.session.execute(select(Campaign).where(Campaign.status.in_((COLLECTING, SENDING)))).scalars().all()
    for campaign in campaigns:
        mark = _mark(campaign)
        if mark != campaign.progress_mark or campaign.progress_at is None:
            if campaign.stalled_at is not None:
                log.info("campaign=%s moves again after a stall", campaign.id)
            db.session.execute(update(Campaign).where(Campaign.id == campaign.id).values(
                progress_mark=mark, progress_at=now, stalled_at=None, stall_reason=None))
            db.session.commit()
        elif campaign.stalled_at is None and now - campaign.progress_at >= limit and _has_work_now(campaign):
            flagged += _flag(campaign, now)
    return flagged


def _has_work_now(campaign: Campaign) -> bool:
    """Work the campaign could be doing now (deliveries waiting for their retry time are not stalled)."""
    if campaign.status == COLLECTING:
        return _pending_clients(campaign.id) > 0
    return db.session.execute(select(Delivery.id).where(
        Delivery.campaign_id == campaign.id,
        (Delivery.status == DELIVERY_SENDING)
        | ((Delivery.status == DELIVERY_PENDING) & claims.due_clause(claims.now()))).limit(1)).first() is not None


def _pending_clients(campaign_id: int) -> int:
    return db.session.execute(select(db.func.count(CampaignClient.id)).where(
        CampaignClient.campaign_id == campaign_id, CampaignClient.outcome == OUTCOME_PENDING)).scalar() or 0


def stall_reason(campaign: Campaign) -> str:
    """What the campaign waits for, and the last error seen (pt-BR)."""
    if campaign.status == COLLECTING:
        waiting = (f"a API da operação {campaign.operation.name} "
                   f"({_pending_clients(campaign.id)} clientes aguardando a coleta)")
        error = db.session.execute(select(CampaignClient.error).where(
            CampaignClient.campaign_id == campaign.id, CampaignClient.error.is_not(None))
            .order_by(CampaignClient.collected_at.desc()).limit(1)).scalar()
    else:
        binding = binding_of(campaign.operation_id)
        service = binding.service.name if binding and binding.service else "nenhum"
        waiting = f"o envio pelo serviço {service} ({campaign.emails_pending} envios pendentes)"
        error = db.session.execute(select(Delivery.last_error).where(
            Delivery.campaign_id == campaign.id, Delivery.last_error.is_not(None),
            Delivery.status.in_((DELIVERY_PENDING, DELIVERY_SENDING))).order_by(Delivery.id.desc()).limit(1)).scalar()
        error = error or (binding.service.health_reason if binding and binding.service else None)
    return f"aguardando {waiting}; último erro: {error or 'nenhum registrado'}"


def _flag(campaign: Campaign, now) -> int:
    reason = stall_reason(campaign)
    result = db.session.execute(update(Campaign).where(Campaign.id == campaign.id, Campaign.stalled_at.is_(None))
                                .values(stalled_at=now, stall_reason=reason[:1000]))
    db.session.commit()
    if result.rowcount != 1:
        return 0
    minutes = current_app.config["STALL_MINUTES"]
    log.warning("campaign=%s stalled for %s minutes: %s", campaign.id, minutes, reason)
    body = Markup("<p>Campanha parada! A campanha <b>#{}</b> ({}, {}) não avança desde {}.</p><p>{}</p>"
                  "<p>Veja a página da campanha e o Histórico de Envio.</p>").format(
        campaign.id, campaign.campaign_type.name, campaign.operation.name, fmt_datetime(campaign.progress_at),
        reason[:1].upper() + reason[1:])
    send_admin_alert("campaign_stalled", f"Campanha parada: #{campaign.id}", str(body),
                     dedupe_key=f"stall:{campaign.id}:{now.isoformat()}"[:120], operation_id=campaign.operation_id,
                     campaign_id=campaign.id)
    return 1
