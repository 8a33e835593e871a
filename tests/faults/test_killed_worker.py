"""A worker killed with `kill -9` mid-campaign, with 10 SMTP sessions per service: every delivery still ends sent,
and each kill duplicates at most one message per session it had open (the accepted one not yet recorded)."""
import pytest

from app.campaigns.sending import enqueue_sending
from app.extensions import db
from app.models import Delivery
from tests.helpers.faults import Sweeper, bulk_sending_campaign, campaign_status, delivery_statuses, wait_until

pytestmark = pytest.mark.slow

DELIVERIES = 2000
SESSIONS = 10


@pytest.mark.worker_settings(SEND_BATCH_SIZE=100)
def test_killed_workers_lose_nothing_and_duplicate_at_most_one_message_per_session(app, services, smtp_server,
                                                                                  worker_pool):
    services["SERVICO_2"].max_connections = SESSIONS
    db.session.commit()
    campaign_id = bulk_sending_campaign(DELIVERIES)
    first = worker_pool.start(1)[0]
    enqueue_sending(campaign_id)
    sweep = Sweeper(period=1.0)

    wait_until(lambda: smtp_server.count() >= 300, 90, message="300 messages before the first kill")
    worker_pool.kill(first)
    second = worker_pool.start(1)[0]
    wait_until(lambda: smtp_server.count() >= 1000, 120, message="1000 messages before the second kill", every=sweep)
    worker_pool.kill(second)
    worker_pool.start(1)
    wait_until(lambda: campaign_status(campaign_id) == "completed", 150, message="the campaign to complete",
               every=sweep)

    assert delivery_statuses(campaign_id) == {"sent": DELIVERIES}
    ids = smtp_server.message_ids()
    stored = set(db.session.execute(db.select(Delivery.message_id).where(Delivery.campaign_id == campaign_id)).scalars())
    assert stored == set(ids) and len(stored) == DELIVERIES
    assert len(ids) - len(set(ids)) <= worker_pool.kills * SESSIONS
