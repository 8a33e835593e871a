"""What sending left behind: alerts, rotations, the operation's service, delivery statuses."""
from __future__ import annotations

from collections import Counter

from app.extensions import db
from app.models import Alert, Delivery, OperationBinding, Rotation
from tests.helpers.sending_factories import operation


def alerts(kind: str | None = None):
    query = db.select(Alert).order_by(Alert.id)
    if kind:
        query = query.where(Alert.kind == kind)
    return db.session.execute(query).scalars().all()


def rotations():
    return db.session.execute(db.select(Rotation).order_by(Rotation.id)).scalars().all()


def binding_service(code: str = "CLARO") -> str | None:
    db.session.expire_all()
    binding = db.session.execute(db.select(OperationBinding).filter_by(operation_id=operation(code).id)).scalar_one()
    return binding.service.name if binding.service else None


def statuses(campaign_id: int) -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(db.select(Delivery.status).where(Delivery.campaign_id == campaign_id)).scalars()
    return dict(Counter(rows))
