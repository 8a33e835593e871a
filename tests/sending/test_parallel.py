"""Parallel senders never push a service over its quota, nor send twice.

Four senders on PostgreSQL (CI's second pass); on SQLite, where one worker is
the supported setup, a single sender checks the same promises.
"""
import os
import threading

import pytest

from app.campaigns import sending
from app.extensions import db
from app.models import ServiceUsage
from tests.helpers.sending_factories import bind, make_sending_campaign

SENDERS = 4 if os.environ.get("TEST_DATABASE_URL") else 1


@pytest.mark.parametrize("senders", [SENDERS])
def test_parallel_senders_never_exceed_a_quota(app, services, smtp_server, senders):
    quotas = {"SERVICO_2": 17, "SERVICO_3": 23, "SERVICO_4": 1000}
    for name, value in quotas.items():
        services[name].monthly_quota = value
    db.session.commit()
    bind("CLARO", services["SERVICO_2"])
    campaign_id = make_sending_campaign(clients=60).id  # plain id: threads must not touch this session
    errors = []

    def sender():
        try:
            with app.app_context():
                while sending.send_batch(campaign_id, batch_size=4, chain=False).claimed:
                    pass
                db.session.remove()
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    assert not errors
    recipients = smtp_server.recipients()
    assert len(recipients) == 60 and len(set(recipients)) == 60
    per_user = {name: sum(1 for m in smtp_server.received if m.user == name.lower()) for name in quotas}
    assert per_user["SERVICO_2"] <= 17 and per_user["SERVICO_3"] <= 23
    db.session.expire_all()
    for name, value in quotas.items():
        sent = db.session.execute(db.select(ServiceUsage.sent).filter_by(service_id=services[name].id)).scalar() or 0
        assert sent == per_user[name] <= value
