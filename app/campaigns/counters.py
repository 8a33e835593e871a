"""Campaign counters, changed atomically where the work happens (never recounted per request)."""
from __future__ import annotations

from sqlalchemy import update

from app.extensions import db
from app.models import Campaign


def bump(campaign_id: int, **deltas: int) -> None:
    """`UPDATE campaigns SET x = x + dx ...` in the caller's transaction (caller commits)."""
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return
    values = {name: getattr(Campaign, name) + delta for name, delta in deltas.items()}
    db.session.execute(
        update(Campaign).where(Campaign.id == campaign_id).values(**values).execution_options(synchronize_session=False)
    )
