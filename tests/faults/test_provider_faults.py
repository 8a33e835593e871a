"""A creditor API answering 500 to 10% of requests and stalling past the timeout on 2%: every client is
collected or recorded with its error."""
import pytest

from app.campaigns.collection import start_campaign_job
from app.extensions import db
from app.models import Campaign, CampaignClient
from app.timeutil import local_date, now_utc
from tests.helpers.collection_factories import TOKEN
from tests.helpers.faults import FaultyProvider, Sweeper, campaign_status, scheduled_campaign, wait_until

pytestmark = pytest.mark.slow

CLIENTS = 300


@pytest.fixture
def provider():
    server = FaultyProvider(error_rate=0.10, timeout_rate=0.02, stall_seconds=0.8, today=local_date(now_utc()),
                            token=TOKEN)
    yield server
    server.stop()


# Two attempts per client: some clients exhaust them, so both outcomes (collected, error) really occur.
@pytest.mark.worker_settings(PROVIDER_ATTEMPTS=2)
def test_every_client_is_collected_or_recorded_with_its_error(app, services, worker_pool, provider):
    campaign_id = scheduled_campaign(provider.url, CLIENTS, now_utc(), TOKEN)
    worker_pool.start(1)
    start_campaign_job.delay(campaign_id)

    wait_until(lambda: campaign_status(campaign_id) == "completed", 120, message="the campaign to complete",
               every=Sweeper(period=1.0))

    rows = db.session.execute(db.select(CampaignClient.outcome, CampaignClient.error)
                              .where(CampaignClient.campaign_id == campaign_id)).all()
    campaign = db.session.get(Campaign, campaign_id)
    assert provider.counts["500"] > 0 and provider.counts["stalled"] > 0  # the faults happened
    assert len(rows) == CLIENTS and all(outcome != "pending" for outcome, _ in rows)
    assert all(error for outcome, error in rows if outcome == "api_error")
    errors = sum(1 for outcome, _ in rows if outcome == "api_error")
    assert campaign.clients_collected == CLIENTS and campaign.clients_api_error == errors
