"""A quota reply in the middle of a campaign with several workers: one rotation, one alert, no message over quota.

Four workers need PostgreSQL (claims with SKIP LOCKED); on SQLite one worker is enough, so the SQLite pass
runs the same scenario with one worker.
"""
import pytest

from app.campaigns.sending import enqueue_sending
from app.extensions import db
from app.models import Alert, Rotation, ServiceUsage
from tests.helpers.faults import Sweeper, bulk_sending_campaign, campaign_status, delivery_statuses, wait_until
from tests.helpers.stores import postgres_url

pytestmark = pytest.mark.slow

DELIVERIES = 160
SERVER_QUOTA = 50  # the server refuses SERVICO_2's messages past this; the panel's quota (1000) does not know it
WORKERS = [4] if postgres_url() else [1]


@pytest.mark.parametrize("workers", WORKERS)
@pytest.mark.worker_settings(SEND_BATCH_SIZE=10, SEND_PARALLEL_JOBS=4)
def test_a_quota_reply_mid_campaign_rotates_once_and_alerts_once(app, services, smtp_server, worker_pool, workers):
    smtp_server.set_quota("servico_2", SERVER_QUOTA)
    campaign_id = bulk_sending_campaign(DELIVERIES)
    worker_pool.start(workers)
    enqueue_sending(campaign_id)

    wait_until(lambda: campaign_status(campaign_id) == "completed", 150, message="the campaign to complete",
               every=Sweeper(period=1.0))

    moves = db.session.execute(db.select(Rotation.from_service_id, Rotation.to_service_id)).all()
    assert moves == [(services["SERVICO_2"].id, services["SERVICO_3"].id)]
    assert len(db.session.execute(db.select(Alert).filter_by(kind="quota_exhausted")).scalars().all()) == 1
    accepted = {user: smtp_server.count(user) for user in ("servico_2", "servico_3")}
    assert accepted["servico_2"] == SERVER_QUOTA  # nothing over the quota, nothing refused lost
    counted = dict(db.session.execute(db.select(ServiceUsage.service_id, ServiceUsage.sent)).all())
    assert counted.get(services["SERVICO_2"].id) == accepted["servico_2"]
    assert counted.get(services["SERVICO_3"].id) == accepted["servico_3"]
    ids = smtp_server.message_ids()
    assert delivery_statuses(campaign_id) == {"sent": DELIVERIES} and len(ids) == len(set(ids)) == DELIVERIES
