"""Collection: ask the operation's provider for every client's agreements, store them, select boletos.

A campaign's clients are split into chunks (CollectionChunk rows, planned from
`CampaignClient.chunk_seq`); each chunk is one RQ job on the COLLECT queue, so
several workers share a campaign. A chunk job:

1. takes a lease on its chunk (the sweep re-enqueues chunks whose lease ran out),
2. fetches its still-pending clients concurrently (app.providers.client),
3. stores each answer in batches: per client a guarded
   `UPDATE campaign_clients SET outcome=... WHERE outcome='pending'` comes first,
   and only the winner inserts agreements, boletos and deliveries and counts
   them — so a chunk run twice (or by two workers at once) creates nothing twice,
4. marks the chunk done; the job that finds every chunk done moves the campaign
   COLLECTING -> SENDING (guarded), hands it to sending and lets it complete
   when there is nothing to send.

Sending starts when the whole campaign is collected (not chunk by chunk):
collecting 10,000 clients takes seconds, the counters an operator sees are
final before the first email, and sending plans its batches once.

This module holds the jobs and the campaign-level steps: starting
(`start_campaign_job`, `begin_collection`), one chunk (`collect_chunk_job`), the end
(`finish_if_collected`), the config-fault alert and the sweep's `resume_collection`. Chunk planning, enqueueing and leases are in
app.campaigns.collection_chunks (step 1); storing a batch of answers is in
app.campaigns.collection_store (step 3).
"""
from __future__ import annotations

import logging
import threading
import uuid

from flask import current_app
from markupsafe import escape
from rq import get_current_job
from sqlalchemy import select, update

from app.alerts import send_admin_alert
from app.extensions import db
from app.jobs import CAMPAIGNS, COLLECT, job, job_started_at, job_status
from app.models import Campaign, CampaignClient, CollectionChunk
from app.models.campaigns import (
    CHUNK_DONE,
    CHUNK_PENDING,
    COLLECTING,
    OUTCOME_CONFIG_ERROR,
    OUTCOME_PENDING,
    SENDING,
)
from app.providers import client as provider
from app.timeutil import now_utc

from . import lifecycle
from .collection_chunks import chunk_job_id, plan_chunks, record_chunk_job, renew_lease
from .collection_store import CONFIG_FAULT_REASON, store_batch
from .selection import selected_due_dates
from .sending import complete_if_done, enqueue_sending

log = logging.getLogger(__name__)

WRITE_BATCH = 100  # clients stored per transaction
STARTED_WITHOUT_LEASE_SECONDS = 60  # a chunk job started this long ago that never took its lease is dead


# --- starting -------------------------------------------------------------------------------

@job(CAMPAIGNS, timeout=300)
def start_campaign_job(campaign_id: int) -> None:
    start_campaign(campaign_id)


def start_campaign(campaign_id: int) -> bool:
    """Start a scheduled campaign whose moment has come and begin collecting. A duplicate start does nothing."""
    if not lifecycle.start(campaign_id):
        return False
    begin_collection(campaign_id)
    return True


def begin_collection(campaign_id: int) -> None:
    """Plan the chunks of a collecting campaign and enqueue one job per chunk."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.status != COLLECTING:
        return
    plan_chunks(campaign_id)
    pending = db.session.execute(select(CollectionChunk.seq).where(
        CollectionChunk.campaign_id == campaign_id, CollectionChunk.status == CHUNK_PENDING)).scalars().all()
    for seq in pending:
        enqueue_chunk(campaign_id, seq)
    if not pending:
        finish_if_collected(campaign_id)


def enqueue_chunk(campaign_id: int, seq: int, fresh: bool = False) -> str | None:
    """Enqueue a chunk's job; `fresh` uses a new job id (the old one is stuck 'started')."""
    job_id = chunk_job_id(campaign_id, seq) + (f"-{uuid.uuid4().hex[:8]}" if fresh else "")
    try:
        queued = collect_chunk_job.delay(campaign_id, seq, job_id=job_id)
    except Exception:  # Redis down: the sweep enqueues it again later
        log.exception("campaign=%s chunk=%s not enqueued", campaign_id, seq)
        return None
    record_chunk_job(campaign_id, seq, queued.id)
    return queued.id


# --- one chunk ------------------------------------------------------------------------------

@job(COLLECT, timeout=1800)
def collect_chunk_job(campaign_id: int, seq: int) -> None:
    current = get_current_job()
    collect_chunk(campaign_id, seq, job_id=current.id if current else None)


def collect_chunk(campaign_id: int, seq: int, job_id: str | None = None) -> dict:
    """Collect one chunk. Idempotent: clients already collected are skipped, rows are never doubled."""
    campaign = db.session.get(Campaign, campaign_id)
    chunk = db.session.execute(select(CollectionChunk).where(
        CollectionChunk.campaign_id == campaign_id, CollectionChunk.seq == seq)).scalar_one_or_none()
    if campaign is None or chunk is None or campaign.status != COLLECTING:
        return {"skipped": True}
    if chunk.status == CHUNK_DONE:
        finish_if_collected(campaign_id)
        return {"skipped": True}
    renew_lease(chunk.id, start=True, job_id=job_id)

    operation = campaign.operation
    due_dates = selected_due_dates(campaign.campaign_day, campaign.campaign_type.offsets)
    clients = db.session.execute(
        select(CampaignClient.id, CampaignClient.cpf, CampaignClient.emails).where(
            CampaignClient.campaign_id == campaign_id, CampaignClient.chunk_seq == seq,
            CampaignClient.outcome == OUTCOME_PENDING).order_by(CampaignClient.id)).all()
    stats = {"clients": len(clients), "config_error": 0}
    db.session.commit()  # end the read transaction before the network calls

    if clients:
        by_cpf = {row.cpf: row for row in clients}
        settings = provider.ProviderSettings.for_operation(operation, current_app.config)
        stop = threading.Event()
        if campaign_has_config_fault(campaign_id) or not settings.base_url:
            stop.set()
        results = _results(settings, list(by_cpf), stop)
        batch: list = []
        for result in results:
            batch.append((by_cpf[result.cpf], result))
            if len(batch) >= WRITE_BATCH:
                store_batch(campaign_id, chunk.id, batch, due_dates)
                batch = []
        if batch:
            store_batch(campaign_id, chunk.id, batch, due_dates)
        if stop.is_set():
            stats["config_error"] = 1
            alert_config_fault(campaign, settings.base_url)

    db.session.execute(update(CollectionChunk).where(CollectionChunk.id == chunk.id,
                                                     CollectionChunk.status == CHUNK_PENDING)
                       .values(status=CHUNK_DONE, finished_at=now_utc(), lease_until=None))
    db.session.commit()
    finish_if_collected(campaign_id)
    return stats


def _results(settings, cpfs, stop):
    if stop.is_set():
        return (provider.FetchResult(cpf, provider.CONFIG_ERROR, reason=CONFIG_FAULT_REASON) for cpf in cpfs)
    return provider.client_for(settings).fetch_many(cpfs, stop=stop)


def campaign_has_config_fault(campaign_id: int) -> bool:
    """A 401/403 anywhere in the campaign stops its calls: the database remembers it across workers."""
    return db.session.execute(select(CampaignClient.id).where(
        CampaignClient.campaign_id == campaign_id, CampaignClient.outcome == OUTCOME_CONFIG_ERROR).limit(1)).first() is not None


# --- the end of collection ----------------------------------------------------------------------

def finish_if_collected(campaign_id: int) -> bool:
    """When every chunk is done: COLLECTING -> SENDING (once), hand over to sending, maybe complete."""
    open_chunk = db.session.execute(select(CollectionChunk.id).where(
        CollectionChunk.campaign_id == campaign_id, CollectionChunk.status == CHUNK_PENDING).limit(1)).first()
    if open_chunk is not None:
        return False
    moved = lifecycle.collected(campaign_id)
    if moved:
        enqueue_sending(campaign_id)
    campaign = db.session.get(Campaign, campaign_id)
    db.session.refresh(campaign)
    if campaign.status == SENDING:
        complete_if_done(campaign_id)
    return moved


def alert_config_fault(campaign, base_url: str | None) -> None:
    operation = campaign.operation
    reason = "URL da API não configurada" if not base_url else "a API recusou o token (HTTP 401/403)"
    body = (f"<p>A coleta da campanha #{campaign.id} ({escape(campaign.campaign_type.name)}) parou de chamar a API "
            f"da operação <strong>{escape(operation.name)}</strong>: {escape(reason)}.</p>"
            f"<p>Os clientes restantes foram marcados como <em>Erro de configuração</em>. "
            f"Corrija a URL/token da operação no painel (Operações → Testar conexão).</p>")
    send_admin_alert("provider_auth", f"Erro de configuração da API — {operation.name}", body,
                     dedupe_key=f"provider-auth:{campaign.id}", operation_id=operation.id, campaign_id=campaign.id)


# --- the sweep -----------------------------------------------------------------------------------

def resume_collection() -> int:
    """Sweep step: re-enqueue chunks whose job vanished or whose lease ran out; finish collected campaigns."""
    now = now_utc()
    actions = 0
    campaign_ids = db.session.execute(select(Campaign.id).where(Campaign.status == COLLECTING)).scalars().all()
    for campaign_id in campaign_ids:
        chunks = db.session.execute(select(CollectionChunk).where(
            CollectionChunk.campaign_id == campaign_id)).scalars().all()
        if not chunks:
            begin_collection(campaign_id)
            actions += 1
            continue
        pending = [c for c in chunks if c.status == CHUNK_PENDING]
        if not pending:
            actions += int(finish_if_collected(campaign_id))
            continue
        for chunk in pending:
            if chunk.lease_until is not None and chunk.lease_until > now:
                continue  # a worker holds it
            expired = chunk.lease_until is not None
            status = job_status(chunk.job_id) if chunk.job_id else None
            active = status in ("queued", "started", "deferred", "scheduled")
            if status == "started" and not expired and _started_long_ago(chunk.job_id, now):
                # A live chunk job takes its lease within milliseconds of starting; started without one
                # for this long, its worker died in between (RQ itself would wait for the job timeout).
                status = "started without a lease"
            elif active and not expired:
                continue
            log.info("sweep: campaign=%s chunk=%s re-enqueued (job %s, lease %s)", campaign_id, chunk.seq,
                     status or "missing", "expired" if expired else "none")
            enqueue_chunk(campaign_id, chunk.seq, fresh=active)
            actions += 1
    return actions


def _started_long_ago(job_id: str, now) -> bool:
    started = job_started_at(job_id)
    return started is not None and (now - started).total_seconds() > STARTED_WITHOUT_LEASE_SECONDS
