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
from sqlalchemy import bindparam, select, update

from app.bounces import envelope, suppression
from app.extensions import db
from app.models import Agreement, Boleto, Campaign, CampaignClient, Delivery

from . import claims, rotation
from .batch import BatchResult, BatchSender, Item
from .bindings import binding_of
from .message import new_message_id
from .service_link import NO_SERVICE, NO_SESSION, THROTTLED
from .sessions import SessionSlot, run_in_threads, session_count
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
    payers = {client_id: (name, cpf) for client_id, name, cpf in db.session.execute(
        select(CampaignClient.id, CampaignClient.name, CampaignClient.cpf).where(CampaignClient.id.in_(client_ids))
    ).all()}
    names = {client_id: name for client_id, (name, _cpf) in payers.items()}
    boletos: dict[int, list[BoletoData]] = {}
    for boleto, external_id in db.session.execute(
        select(Boleto, Agreement.external_id).join(Agreement, Agreement.id == Boleto.agreement_id)
        .where(Boleto.client_id.in_(client_ids), Boleto.selected.is_(True), Boleto.valid.is_(True))
        .order_by(Boleto.client_id, Boleto.due_date, Boleto.number, Boleto.id)
    ).all():
        boletos.setdefault(boleto.client_id, []).append(
            BoletoData.from_row(boleto, external_id, payers.get(boleto.client_id, (None, None))))
    return items, boletos, names


def _store_message_ids(items: list[Item], sender: str, token: str) -> None:
    """Generate and store each Message-ID before anything leaves (a retry reuses its id). Only under the claim: a
    batch that stalled and lost a delivery to another must not overwrite the id the other one sends it with."""
    missing = [i for i in items if not i.message_id]
    for item in missing:
        item.message_id = new_message_id(sender)
    if missing:
        deliveries = Delivery.__table__
        db.session.execute(
            update(deliveries).where(deliveries.c.id == bindparam("delivery_id"), deliveries.c.claim_token == token)
            .values(message_id=bindparam("new_message_id")),
            [{"delivery_id": i.id, "new_message_id": i.message_id} for i in missing])
        db.session.commit()


def run_batch(campaign_id: int, batch_size: int | None = None) -> BatchResult:
    """Send a batch of the campaign's due deliveries through the operation's service, over as many SMTP
    sessions at once as the service allows (app.mailer.sessions); each session claims its own share."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.status not in claims.SENDABLE_STATUSES:
        return BatchResult(stopped=f"campaign {getattr(campaign, 'status', 'missing')}")
    service = rotation.ensure_service(campaign.operation_id, campaign_id)
    if service is None:
        return BatchResult(stopped=NO_SERVICE)
    batch_size = batch_size or current_app.config["SEND_BATCH_SIZE"]
    due = claims.due_count(campaign_id, limit=(service.max_connections or 1) * batch_size)
    if not due:
        return BatchResult()
    count = session_count(service, due)
    share = min(batch_size, -(-due // count))
    db.session.commit()  # end the read transaction: each session works in its own
    if count == 1:
        result = run_session(campaign_id, share)
    else:
        result = merge([r for r in run_in_threads(count, run_session, campaign_id, share) if r is not None])
    log.info("campaign=%s sessions=%s claimed=%s sent=%s failed=%s retried=%s stopped=%s services=%s", campaign_id,
             count, result.claimed, result.sent, result.failed, result.retried, result.stopped,
             ",".join(result.services))
    db.session.expire_all()
    return result


def run_session(campaign_id: int, size: int) -> BatchResult:
    """One SMTP session: a slot of the service's semaphore, then up to `size` claimed deliveries sent over it."""
    campaign = db.session.get(Campaign, campaign_id)
    service = rotation.ensure_service(campaign.operation_id, campaign_id)
    if service is None:
        return BatchResult(stopped=NO_SERVICE)
    session = SessionSlot()
    try:
        if not session.take(service):
            return BatchResult(stopped=NO_SESSION)
        token, ids = claims.claim(campaign_id, size, claims.lease_seconds())
        withheld = suppression.withhold(token, campaign_id, ids)  # suppressed addresses: recorded, no quota spent
        ids = [i for i in ids if i not in set(withheld)]
        if not ids:
            return BatchResult(claimed=len(withheld), suppressed=len(withheld))
        items, boletos, names = _load(ids)
        sender = binding_of(campaign.operation_id).sender_email
        _store_message_ids(items, sender, token)
        batch = BatchSender(campaign, token, items, boletos, names, sender, service, session,
                            envelope_sender=envelope.sender_for(campaign.operation_id))
        batch.result.claimed += len(withheld)
        batch.result.suppressed = len(withheld)
        if current_app.config["SEND_PDF_THREAD"]:
            # Render the batch's PDFs in a background thread while messages go out. Off by default: measured
            # here, the GIL hand-over delays every socket and database reply of the sender about as much as it saves.
            batch.factory.pdfs.prefetch([b for item in items for b in boletos.get(item.client_id, [])])
        return batch.run()
    finally:
        session.release()


STOP_PRIORITY = (NO_SERVICE, THROTTLED)  # what the job acts on first, when sessions stopped for different reasons


def merge(results: list[BatchResult]) -> BatchResult:
    """The sessions' results as one."""
    merged = BatchResult()
    for result in results:
        merged.claimed += result.claimed
        merged.sent += result.sent
        merged.failed += result.failed
        merged.retried += result.retried
        merged.released += result.released
        merged.suppressed += result.suppressed
        merged.taken_over += result.taken_over
        merged.services += [name for name in result.services if name not in merged.services]
    stops = [r for r in results if r.stopped and r.stopped != NO_SESSION]
    stops.sort(key=lambda r: STOP_PRIORITY.index(r.stopped) if r.stopped in STOP_PRIORITY else len(STOP_PRIORITY))
    if stops:
        merged.stopped = stops[0].stopped
        merged.retry_at = min((r.retry_at for r in stops if r.retry_at), default=None)
    return merged
