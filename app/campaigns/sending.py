"""Sending, as the campaign lifecycle drives it: the send job, pausing, resuming and completing.

The mailer (app.mailer) sends a batch of a campaign's deliveries and rotates services;
it never changes a campaign's status. This module does, through the lifecycle verbs:

- `send_batch_job` runs one batch, chains the next while due work remains, and completes
  the campaign when nothing is left; several jobs share a campaign (`enqueue_sending`
  gives it SEND_PARALLEL_JOBS slots);
- an operation with no eligible service is *stalled* by the mailer; its sending
  campaigns pause here with the reason, and resume by themselves once a service
  can send again (new month, quota raised, service added, binding changed);
- the sweep's sending steps re-dispatch campaigns whose chain stopped.
"""
from __future__ import annotations

import logging
import uuid

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.jobs import SEND, job, queued_job_args
from app.mailer import claims, recovery, rotation
from app.mailer.batch import BatchResult
from app.mailer.dispatch import run_batch
from app.mailer.rotation import NO_BINDING
from app.mailer.service_link import NO_SERVICE, THROTTLED
from app.models import Campaign, CampaignClient, Delivery, OperationBinding
from app.models.campaigns import DELIVERY_PENDING, DELIVERY_SENDING, OUTCOME_PENDING, PAUSED, SENDING

from . import lifecycle

log = logging.getLogger(__name__)

PAUSE_REASON = "Nenhum serviço de envio disponível para a operação"


# --- the send job ---------------------------------------------------------------------------------
@job(SEND, timeout=1800)
def send_batch_job(campaign_id: int) -> None:
    send_batch(campaign_id)


def enqueue_sending(campaign_id: int) -> None:
    """Enqueue the send jobs for the campaign's pending deliveries (idempotent: fixed job ids per slot)."""
    for slot in range(max(1, current_app.config["SEND_PARALLEL_JOBS"])):
        send_batch_job.delay(campaign_id, job_id=f"send-{campaign_id}-{slot}")


def send_batch(campaign_id: int, batch_size: int | None = None, *, chain: bool = True) -> BatchResult:
    """One send job: send a batch, pause if nothing can send, re-enqueue while due work remains, complete when done."""
    result = run_batch(campaign_id, batch_size)
    if result.stopped == NO_SERVICE:
        pause_stalled_operations()
    if result.stopped == THROTTLED and result.retry_at is not None and chain:
        # The relay asked us to slow down: come back when the backoff ends (the sweep would, a minute later).
        # One job per backoff: the sessions stopped by the same backoff share it, and a job that was itself
        # the return after a backoff can still schedule the next one (a fixed id would find itself running).
        send_batch_job.delay_at(result.retry_at, campaign_id,
                                job_id=f"send-{campaign_id}-after-throttle-{int(result.retry_at.timestamp())}")
    status = db.session.execute(select(Campaign.status).where(Campaign.id == campaign_id)).scalar()
    if (chain and result.claimed and status in claims.SENDABLE_STATUSES and result.stopped is None
            and claims.has_due_work(campaign_id)):
        send_batch_job.delay(campaign_id)
    if status == SENDING:
        complete_if_done(campaign_id)
    return result


def complete_if_done(campaign_id: int) -> bool:
    """Complete a sending (or paused) campaign once no client waits for the API and no delivery is open."""
    waiting_client = db.session.execute(
        select(CampaignClient.id).where(CampaignClient.campaign_id == campaign_id,
                                        CampaignClient.outcome == OUTCOME_PENDING).limit(1)
    ).first()
    open_delivery = db.session.execute(
        select(Delivery.id).where(Delivery.campaign_id == campaign_id,
                                  Delivery.status.in_((DELIVERY_PENDING, DELIVERY_SENDING))).limit(1)
    ).first()
    if waiting_client or open_delivery:
        return False
    return lifecycle.complete(campaign_id)


# --- pausing and resuming ---------------------------------------------------------------------------
def pause_stalled_operations() -> int:
    """Pause the sending campaigns of every operation that has no eligible service; returns how many paused."""
    stalled = db.session.execute(
        select(Campaign.id, OperationBinding.id, OperationBinding.stalled_reason)
        .outerjoin(OperationBinding, OperationBinding.operation_id == Campaign.operation_id)
        .where(Campaign.status == SENDING,
               OperationBinding.id.is_(None) | OperationBinding.stalled_at.is_not(None))
    ).all()
    return sum(lifecycle.pause(campaign_id, f"{PAUSE_REASON}: {reason or NO_BINDING}")
               for campaign_id, binding_id, reason in stalled)


def resume_paused() -> int:
    """Sweep step: resume paused campaigns (and stalled operations) as soon as a service is eligible."""
    operation_ids = set(db.session.execute(select(Campaign.operation_id).where(Campaign.status == PAUSED)).scalars())
    operation_ids |= set(db.session.execute(
        select(OperationBinding.operation_id).where(OperationBinding.stalled_at.is_not(None))).scalars())
    return sum(resume_operation(operation_id) for operation_id in operation_ids)


def resume_operation(operation_id: int) -> int:
    """Resume the operation's paused campaigns if it has a usable service now; returns how many resumed."""
    if rotation.ensure_service(operation_id) is None:
        return 0
    resumed = 0
    paused = db.session.execute(
        select(Campaign.id).where(Campaign.operation_id == operation_id, Campaign.status == PAUSED)
    ).scalars().all()
    for campaign_id in paused:
        if lifecycle.resume(campaign_id):
            log.info("campaign=%s resumed: a service is eligible again", campaign_id)
            enqueue_sending(campaign_id)
            resumed += 1
    return resumed


def resume_after_rebinding(operation_id: int) -> None:
    """An admin changed the operation's service: its paused campaigns resume at once if the new one can send."""
    try:
        paused = db.session.execute(select(Campaign.id).where(
            Campaign.operation_id == operation_id, Campaign.status == PAUSED).limit(1)).first()
        if paused is not None:
            resume_operation(operation_id)
    except Exception:  # Redis down: the sweep resumes within a minute
        log.exception("operation=%s resume after binding change failed", operation_id)
        db.session.rollback()


# --- the sweep's steps --------------------------------------------------------------------------------
def redispatch_due_campaigns() -> int:
    """Give a send job to every sendable campaign with due pending deliveries and no send job alive.

    Covers jobs lost with Redis, chains that stopped (retries whose time came, a batch that stopped), and
    jobs whose worker was killed (their id stays 'started' in Redis, so a fresh id is used). A campaign
    already being sent is left alone: the sweep must not add a chain every minute.
    """
    due = recovery.campaigns_with_due_work()
    if not due:
        return 0
    busy = recovery.campaigns_with_live_claims(due) | {args[0] for args in queued_job_args(SEND)}
    enqueued = 0
    for campaign_id in sorted(set(due) - busy):
        send_batch_job.delay(campaign_id, job_id=f"send-{campaign_id}-sweep-{uuid.uuid4().hex[:8]}")
        log.info("sweep: campaign=%s send job re-enqueued", campaign_id)
        enqueued += 1
    return enqueued


def complete_finished_campaigns() -> int:
    """Sending or paused campaigns whose work is done (nothing waiting for the API, nothing to send) complete."""
    candidates = db.session.execute(select(Campaign.id).where(Campaign.status.in_((SENDING, PAUSED)))).scalars().all()
    return sum(1 for campaign_id in candidates if complete_if_done(campaign_id))
