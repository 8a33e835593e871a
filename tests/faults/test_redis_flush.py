"""Redis flushed in the middle of a campaign (10 SMTP sessions per service, whose slots live in Redis too): the sweep
re-creates the lost work; nothing lost, nothing doubled."""
import pytest

from app.campaigns.collection import start_campaign_job
from app.extensions import db
from app.models import Campaign, CampaignClient, Delivery
from app.timeutil import local_date, now_utc
from tests.helpers.collection_factories import TOKEN
from tests.helpers.faults import (
    FaultyProvider,
    Sweeper,
    campaign_status,
    delivery_statuses,
    scheduled_campaign,
    wait_until,
)

pytestmark = pytest.mark.slow

CLIENTS = 400


@pytest.fixture
def provider():
    server = FaultyProvider(error_rate=0, timeout_rate=0, stall_seconds=0, today=local_date(now_utc()), token=TOKEN)
    yield server
    server.stop()


@pytest.mark.worker_settings(SEND_BATCH_SIZE=40)
def test_flushing_redis_twice_mid_campaign_loses_and_doubles_nothing(app, services, smtp_server, worker_pool,
                                                                      provider, test_redis):
    services["SERVICO_2"].max_connections = 10
    db.session.commit()
    campaign_id = scheduled_campaign(provider.url, CLIENTS, now_utc(), TOKEN)
    worker_pool.start(1)
    start_campaign_job.delay(campaign_id)
    sweep = Sweeper(period=1.0)

    # First flush: the start job ran, chunk jobs are queued (or running).
    wait_until(lambda: campaign_status(campaign_id) != "scheduled", 60, interval=0.02, message="the start")
    test_redis.flush()
    # Second flush: sending is under way.
    wait_until(lambda: smtp_server.count() >= 20, 90, message="20 messages", every=sweep)
    test_redis.flush()
    wait_until(lambda: campaign_status(campaign_id) == "completed", 120, message="the campaign to complete",
               every=sweep)

    pending_clients = db.session.execute(db.select(db.func.count()).where(
        CampaignClient.campaign_id == campaign_id, CampaignClient.outcome == "pending")).scalar()
    campaign = db.session.get(Campaign, campaign_id)
    statuses = delivery_statuses(campaign_id)
    ids = smtp_server.message_ids()
    stored = set(db.session.execute(db.select(Delivery.message_id).where(Delivery.campaign_id == campaign_id)).scalars())
    assert pending_clients == 0 and campaign.clients_collected == CLIENTS
    assert statuses == {"sent": campaign.emails_sent} and campaign.emails_sent > 50
    assert len(ids) == len(set(ids)) == campaign.emails_sent and set(ids) == stored
