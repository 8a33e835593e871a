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
"""
from __future__ import annotations

import logging
import threading
import uuid
from datetime import timedelta

from flask import current_app
from markupsafe import escape
from sqlalchemy import bindparam, func, insert, select, update

from app.campaigns import counters
from app.campaigns.selection import campaign_day, is_selected, selected_due_dates
from app.extensions import db
from app.models import Agreement, Boleto, Campaign, CampaignClient, CollectionChunk, Delivery
from app.models.campaigns import (
    CHUNK_DONE,
    CHUNK_PENDING,
    COLLECTING,
    DELIVERY_PENDING,
    OUTCOME_API_ERROR,
    OUTCOME_CONFIG_ERROR,
    OUTCOME_NO_AGREEMENT,
    OUTCOME_NOTHING_DUE,
    OUTCOME_PENDING,
    OUTCOME_READY,
    SENDING,
)
from app.providers import client as provider
from app.timeutil import now_utc

log = logging.getLogger(__name__)

CHUNK_SIZE = 200
WRITE_BATCH = 100  # clients stored per transaction
CHUNK_JOB_TIMEOUT = 1800
_OUTCOME_COUNTER = {
    OUTCOME_NO_AGREEMENT: "clients_no_agreement",
    OUTCOME_NOTHING_DUE: "clients_nothing_due",
    OUTCOME_READY: "clients_ready",
    OUTCOME_API_ERROR: "clients_api_error",
    OUTCOME_CONFIG_ERROR: "clients_config_error",
}
CONFIG_FAULT_REASON = "Token da API da operação recusado (HTTP 401/403); chamadas suspensas nesta campanha"


def chunk_job_id(campaign_id: int, seq: int) -> str:
    return f"collect-{campaign_id}-{seq}"


def lease_seconds() -> int:
    cfg = current_app.config
    per_client = float(cfg.get("PROVIDER_TIMEOUT", 15.0)) * int(cfg.get("PROVIDER_ATTEMPTS", 3))
    return int(max(300, 4 * per_client))


# --- planning -------------------------------------------------------------------------------

def plan_chunks(campaign_id: int) -> list[int]:
    """Create the CollectionChunk rows (idempotent); returns every chunk seq of the campaign."""
    existing = set(db.session.execute(
        select(CollectionChunk.seq).where(CollectionChunk.campaign_id == campaign_id)).scalars())
    if not existing:
        _rechunk_if_needed(campaign_id)
    seqs = sorted(set(db.session.execute(
        select(CampaignClient.chunk_seq).where(CampaignClient.campaign_id == campaign_id).distinct()).scalars()))
    for seq in seqs:
        if seq not in existing:
            db.session.add(CollectionChunk(campaign_id=campaign_id, seq=seq, status=CHUNK_PENDING))
    db.session.commit()
    return sorted(existing | set(seqs))


def _rechunk_if_needed(campaign_id: int) -> None:
    """Intake sets chunk_seq = index // 200; a campaign whose clients all share one seq is re-sliced."""
    count, distinct = db.session.execute(
        select(func.count(CampaignClient.id), func.count(func.distinct(CampaignClient.chunk_seq)))
        .where(CampaignClient.campaign_id == campaign_id)).one()
    if count <= CHUNK_SIZE or distinct > 1:
        return
    ids = db.session.execute(select(CampaignClient.id).where(CampaignClient.campaign_id == campaign_id)
                             .order_by(CampaignClient.id)).scalars().all()
    for seq, start in enumerate(range(0, len(ids), CHUNK_SIZE)):
        db.session.execute(update(CampaignClient).where(CampaignClient.id.in_(ids[start:start + CHUNK_SIZE]))
                           .values(chunk_seq=seq).execution_options(synchronize_session=False))
    db.session.flush()


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
    from workers.tasks import collect_chunk as collect_chunk_job

    job_id = chunk_job_id(campaign_id, seq) + (f"-{uuid.uuid4().hex[:8]}" if fresh else "")
    try:
        job = collect_chunk_job.delay(campaign_id, seq, job_id=job_id)
    except Exception:  # Redis down: the sweep enqueues it again later
        log.exception("campaign=%s chunk=%s not enqueued", campaign_id, seq)
        return None
    db.session.execute(update(CollectionChunk).where(CollectionChunk.campaign_id == campaign_id,
                                                     CollectionChunk.seq == seq).values(job_id=job.id))
    db.session.commit()
    return job.id


# --- one chunk ------------------------------------------------------------------------------

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
    _renew_lease(chunk.id, start=True, job_id=job_id)

    operation = campaign.operation
    due_dates = selected_due_dates(campaign_day(campaign), campaign.campaign_type.offsets)
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
                _store_batch(campaign_id, chunk.id, batch, due_dates)
                batch = []
        if batch:
            _store_batch(campaign_id, chunk.id, batch, due_dates)
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


def _renew_lease(chunk_id: int, start: bool = False, job_id: str | None = None) -> None:
    values = {"lease_until": now_utc() + timedelta(seconds=lease_seconds())}
    if start:
        values["attempts"] = CollectionChunk.attempts + 1
        if job_id:
            values["job_id"] = job_id
    db.session.execute(update(CollectionChunk).where(CollectionChunk.id == chunk_id).values(**values))
    if start:
        db.session.commit()


def _store_batch(campaign_id: int, chunk_id: int, batch: list, due_dates) -> None:
    """Store a batch of answers in one transaction; each client only if it was still pending."""
    deltas: dict[str, int] = {}
    now = now_utc()
    client_ids = [row.id for row, _ in batch]
    # Check-then-insert: rows a client may already have (a rerun) are reused, never doubled.
    agreements = {(a.client_id, a.external_id): a for a in db.session.execute(
        select(Agreement).where(Agreement.client_id.in_(client_ids))).scalars()}
    boletos = {(b.agreement_id, b.external_id) for b in db.session.execute(
        select(Boleto.agreement_id, Boleto.external_id).where(Boleto.client_id.in_(client_ids)))}
    deliveries = set(db.session.execute(
        select(Delivery.client_id, Delivery.email).where(Delivery.client_id.in_(client_ids))).all())

    planned = []
    for row, result in batch:
        outcome, error, plan = _outcome_of(result, due_dates)
        name = result.answer.name if result.answer and result.answer.name else None
        planned.append((row, result, outcome, error, plan, name))
    stored = [(row, result, outcome, plan) for row, result, outcome, error, plan, name in _claim(planned, now)]
    for row, result, outcome, plan in stored:
        _add(deltas, _OUTCOME_COUNTER[outcome], 1)
        _add(deltas, "clients_collected", 1)

    # Core executemany inserts: the ORM's per-object unit of work cost ~1 ms a row here.
    new_agreements = []
    for row, result, outcome, plan in stored:
        for agreement_data, _parcelas in plan:
            key = (row.id, agreement_data.id)
            if key not in agreements:
                agreements[key] = None
                new_agreements.append({"campaign_id": campaign_id, "client_id": row.id,
                                       "external_id": agreement_data.id})
            _add(deltas, "agreements", 1)
    if new_agreements:
        db.session.execute(insert(Agreement.__table__), new_agreements)
        agreements.update({(a.client_id, a.external_id): a.id for a in db.session.execute(
            select(Agreement.id, Agreement.client_id, Agreement.external_id)
            .where(Agreement.client_id.in_([row.id for row, *_ in stored])))})

    new_boletos, new_deliveries = [], []
    for row, result, outcome, plan in stored:
        for agreement_data, parcelas in plan:
            agreement_id = agreements[(row.id, agreement_data.id)]
            for parcela, selected in parcelas:
                _add(deltas, "boletos_total", 1)
                _add(deltas, "boletos_invalid", 0 if parcela.valid else 1)
                _add(deltas, "boletos_selected", 1 if selected else 0)
                if (agreement_id, parcela.id) in boletos:
                    continue
                boletos.add((agreement_id, parcela.id))
                new_boletos.append(dict(
                    campaign_id=campaign_id, client_id=row.id, agreement_id=agreement_id, external_id=parcela.id,
                    number=parcela.number, total=parcela.total, amount=parcela.amount, due_date=parcela.due_date,
                    status=parcela.status, line=parcela.line, barcode=parcela.barcode, pix=parcela.pix,
                    pdf_url=parcela.pdf_url, valid=parcela.valid, invalid_reason=parcela.invalid_reason,
                    selected=selected))
        if outcome == OUTCOME_READY:
            for email in [e for e in (row.emails or "").split("\n") if e]:
                if (row.id, email) in deliveries:
                    continue
                deliveries.add((row.id, email))
                new_deliveries.append({"campaign_id": campaign_id, "client_id": row.id, "email": email,
                                       "status": DELIVERY_PENDING, "attempts": 0, "created_at": now})
                _add(deltas, "emails_pending", 1)
    if new_boletos:
        db.session.execute(insert(Boleto.__table__), new_boletos)
    if new_deliveries:
        db.session.execute(insert(Delivery.__table__), new_deliveries)
    counters.bump(campaign_id, **deltas)
    _renew_lease(chunk_id)
    db.session.commit()


def _claim(planned: list, now) -> list:
    """Set each client's outcome only where it is still pending; returns the clients this call claimed.

    Fast path: one executemany of guarded UPDATEs; when every row matched, all
    are ours. Otherwise (another run stored some of them) the transaction is
    rolled back — the claim is its first write — and redone client by client
    to learn which ones are ours. (No SAVEPOINT: pysqlite would commit on RELEASE.)
    """
    table = CampaignClient.__table__
    statement = (update(table).where(table.c.id == bindparam("b_id"), table.c.outcome == OUTCOME_PENDING)
                 .values(outcome=bindparam("b_outcome"), error=bindparam("b_error"), collected_at=now,
                         name=func.coalesce(bindparam("b_name"), table.c.name)))
    params = [{"b_id": row.id, "b_outcome": outcome, "b_error": error, "b_name": name}
              for row, result, outcome, error, plan, name in planned]
    connection = db.session.connection()
    if connection.dialect.supports_sane_multi_rowcount:
        if connection.execute(statement, params).rowcount == len(params):
            return planned
        db.session.rollback()
        connection = db.session.connection()
    return [item for item, one in zip(planned, params) if connection.execute(statement, one).rowcount == 1]


def _add(deltas: dict, name: str, value: int) -> None:
    if value:
        deltas[name] = deltas.get(name, 0) + value


def _outcome_of(result, due_dates):
    """(outcome, error, [(agreement, [(parcela, selected)])]) for one fetch result."""
    if result.kind == provider.NOT_FOUND:
        return OUTCOME_NO_AGREEMENT, None, []
    if result.kind == provider.CONFIG_ERROR:
        return OUTCOME_CONFIG_ERROR, result.reason or CONFIG_FAULT_REASON, []
    if result.kind != provider.FOUND:
        return OUTCOME_API_ERROR, (result.reason or "Erro na API")[:1000], []
    plan = []
    any_selected = False
    for agreement in result.answer.agreements:
        parcelas = []
        for parcela in agreement.parcelas:
            selected = is_selected(parcela.status, parcela.valid, parcela.due_date, due_dates)
            any_selected = any_selected or selected
            parcelas.append((parcela, selected))
        plan.append((agreement, parcelas))
    if not plan:
        return OUTCOME_NO_AGREEMENT, None, plan
    return (OUTCOME_READY if any_selected else OUTCOME_NOTHING_DUE), None, plan


# --- the end of collection ----------------------------------------------------------------------

def finish_if_collected(campaign_id: int) -> bool:
    """When every chunk is done: COLLECTING -> SENDING (once), hand over to sending, maybe complete."""
    from app.campaigns.lifecycle import maybe_complete, transition

    open_chunk = db.session.execute(select(CollectionChunk.id).where(
        CollectionChunk.campaign_id == campaign_id, CollectionChunk.status == CHUNK_PENDING).limit(1)).first()
    if open_chunk is not None:
        return False
    moved = transition(campaign_id, COLLECTING, SENDING, collected_at=now_utc())
    if moved:
        from app.mailer.dispatch import enqueue_sending

        enqueue_sending(campaign_id)
    campaign = db.session.get(Campaign, campaign_id)
    db.session.refresh(campaign)
    if campaign.status == SENDING:
        maybe_complete(campaign_id)
    return moved


def alert_config_fault(campaign, base_url: str | None) -> None:
    from app.alerts import send_admin_alert

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
    from rq.job import Job
    from rq.exceptions import NoSuchJobError

    from workers.connection import get_redis

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
            status = None
            if chunk.job_id:
                try:
                    status = Job.fetch(chunk.job_id, connection=get_redis()).get_status(refresh=True)
                except NoSuchJobError:
                    status = None
            active = status in ("queued", "started", "deferred", "scheduled")
            if active and not expired:
                continue
            log.info("sweep: campaign=%s chunk=%s re-enqueued (job %s, lease %s)", campaign_id, chunk.seq,
                     status or "missing", "expired" if expired else "none")
            enqueue_chunk(campaign_id, chunk.seq, fresh=active)
            actions += 1
    return actions
