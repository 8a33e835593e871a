"""Collection chunks: planning a campaign's chunks, enqueueing a chunk's job, and the chunk's lease.

A campaign's clients are split into chunks (CollectionChunk rows, planned from
`CampaignClient.chunk_seq`); each chunk is one RQ job on the COLLECT queue
(app.campaigns.collection.collect_chunk_job), so several workers share a campaign.
The job holds a lease on its chunk while it works; the sweep re-enqueues chunks
whose lease ran out. This module is the chunk bookkeeping both the job and the
storing of results (app.campaigns.collection_store, which renews the lease in
each batch's transaction) rely on; it imports neither.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import CampaignClient, CollectionChunk
from app.models.campaigns import CHUNK_PENDING
from app.timeutil import now_utc

log = logging.getLogger(__name__)

CHUNK_SIZE = 200


def chunk_job_id(campaign_id: int, seq: int) -> str:
    return f"collect-{campaign_id}-{seq}"


def lease_seconds() -> int:
    cfg = current_app.config
    per_client = float(cfg.get("PROVIDER_TIMEOUT", 15.0)) * int(cfg.get("PROVIDER_ATTEMPTS", 3))
    return int(max(300, 4 * per_client))


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


def record_chunk_job(campaign_id: int, seq: int, job_id: str) -> None:
    """Remember the job that holds a chunk (the sweep asks Redis about it). Commits."""
    db.session.execute(update(CollectionChunk).where(CollectionChunk.campaign_id == campaign_id,
                                                     CollectionChunk.seq == seq).values(job_id=job_id))
    db.session.commit()


def renew_lease(chunk_id: int, start: bool = False, job_id: str | None = None) -> None:
    """Extend the chunk's lease. `start` (a job taking the chunk) also counts an attempt, records the
    job id and commits; otherwise the caller's transaction commits it with the batch it stores."""
    values = {"lease_until": now_utc() + timedelta(seconds=lease_seconds())}
    if start:
        values["attempts"] = CollectionChunk.attempts + 1
        if job_id:
            values["job_id"] = job_id
    db.session.execute(update(CollectionChunk).where(CollectionChunk.id == chunk_id).values(**values))
    if start:
        db.session.commit()
