"""Fixtures of the sending tests: SERVICO_1..4 on the real SMTP server (tests/conftest.py), a bound operation."""
from __future__ import annotations

import pytest

from tests.support.sending_factories import bind, make_services


@pytest.fixture
def services(seeded, smtp_server):
    return make_services(smtp_server, count=4)


@pytest.fixture
def claro_on_2(services):
    return bind("CLARO", services["SERVICO_2"])


def run_jobs():
    """Run every queued RQ job in-process (SimpleWorker, burst)."""
    from rq import SimpleWorker

    from app.jobs import all_queues, get_redis

    SimpleWorker(all_queues(), connection=get_redis()).work(burst=True)


def alerts(kind: str | None = None):
    from app.extensions import db
    from app.models import Alert

    query = db.select(Alert).order_by(Alert.id)
    if kind:
        query = query.where(Alert.kind == kind)
    return db.session.execute(query).scalars().all()


def rotations():
    from app.extensions import db
    from app.models import Rotation

    return db.session.execute(db.select(Rotation).order_by(Rotation.id)).scalars().all()


def binding_service(code: str = "CLARO") -> str | None:
    from app.extensions import db
    from app.models import OperationBinding
    from tests.support.sending_factories import operation

    db.session.expire_all()
    binding = db.session.execute(db.select(OperationBinding).filter_by(operation_id=operation(code).id)).scalar_one()
    return binding.service.name if binding.service else None


def statuses(campaign_id: int) -> dict[str, int]:
    from collections import Counter

    from app.extensions import db
    from app.models import Delivery

    db.session.expire_all()
    rows = db.session.execute(db.select(Delivery.status).where(Delivery.campaign_id == campaign_id)).scalars()
    return dict(Counter(rows))
