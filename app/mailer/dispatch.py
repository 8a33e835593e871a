"""One send batch as a send job runs it: claim due deliveries, store their Message-IDs, send them.

The job itself (app.campaigns.sending.send_batch_job) decides what follows a batch:
chaining the next one, pausing the operation's campaigns, completing the campaign.

The pieces, exactly once as far as SMTP allows:
- app.mailer.claims: a delivery is claimed (token + lease) before it is sent; a stopped
  batch releases it without spending an attempt; the clock, leases and backoff;
- app.mailer.batch: the per-batch send loop; each acceptance is recorded in its own commit,
  guarded by the claim token; quota and service faults move on to the next service;
- app.mailer.recovery: the sweep's steps; expired leases (a dead worker) go back to pending
  (the message in flight then is the only possible duplicate).
"""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select, update

from app.extensions import db
from app.models import Agreement, Boleto, Campaign, CampaignClient, Delivery

from . import claims, rotation
from .batch import NO_SERVICE, BatchResult, BatchSender, Item
from .bindings import binding_of
from .message import new_message_id
from .templates import BoletoData

log = logging.getLogger(__name__)


# --- the send job --------------------------------------------------------------------------------
def _load(token_ids: list[int]) -> tuple[list[Item], dict[int, list[BoletoData]], dict[int, str | None]]:
    rows = db.session.execute(
        select(Delivery.id, Delivery.client_id, Delivery.email, Delivery.attempts, Delivery.message_id)
        .where(Delivery.id.in_(token_ids)).order_by(Delivery.id)
    ).all()
    items = [Item(r.id, r.client_id, r.email or "", r.attempts or 0, r.message_id or "") for r in rows]
    client_ids = sorted({i.client_id for i in items})
    names = dict(db.session.execute(
        select(CampaignClient.id, CampaignClient.name).where(CampaignClient.id.in_(client_ids))
    ).all())
    boletos: dict[int, list[BoletoData]] = {}
    for boleto, external_id in db.session.execute(
        select(Boleto, Agreement.external_id).join(Agreement, Agreement.id == Boleto.agreement_id)
        .where(Boleto.client_id.in_(client_ids), Boleto.selected.is_(True), Boleto.valid.is_(True))
        .order_by(Boleto.client_id, Boleto.due_date, Boleto.number, Boleto.id)
    ).all():
        boletos.setdefault(boleto.client_id, []).append(BoletoData.from_row(boleto, external_id))
    return items, boletos, names


def _store_message_ids(items: list[Item], sender: str) -> None:
    """Generate and store each Message-ID before anything leaves (a retry reuses its id)."""
    missing = [i for i in items if not i.message_id]
    for item in missing:
        item.message_id = new_message_id(sender)
    if missing:
        db.session.execute(update(Delivery), [{"id": i.id, "message_id": i.message_id} for i in missing])
        db.session.commit()


def run_batch(campaign_id: int, batch_size: int | None = None) -> BatchResult:
    """Claim a batch of the campaign's due deliveries and send it through the operation's service."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.status not in claims.SENDABLE_STATUSES:
        return BatchResult(stopped=f"campaign {getattr(campaign, 'status', 'missing')}")
    service = rotation.ensure_service(campaign.operation_id, campaign_id)
    if service is None:
        return BatchResult(stopped=NO_SERVICE)
    binding = binding_of(campaign.operation_id)
    batch_size = batch_size or int(current_app.config["SEND_BATCH_SIZE"])
    token, ids = claims.claim(campaign_id, batch_size, claims.lease_seconds())
    if not ids:
        return BatchResult()
    items, boletos, names = _load(ids)
    _store_message_ids(items, binding.sender_email)
    batch = BatchSender(campaign, token, items, boletos, names, binding.sender_email, service)
    if current_app.config["SEND_PDF_THREAD"]:
        # Render the batch's PDFs in a background thread while messages go out. Off by default: measured
        # here, the GIL hand-over delays every socket and database reply of the sender about as much as it saves.
        batch.factory.pdfs.prefetch([b for item in items for b in boletos.get(item.client_id, [])])
    result = batch.run()
    log.info("campaign=%s batch claimed=%s sent=%s failed=%s retried=%s stopped=%s services=%s", campaign_id,
             result.claimed, result.sent, result.failed, result.retried, result.stopped, ",".join(result.services))
    db.session.expire_all()
    return result
