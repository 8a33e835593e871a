"""An SMTP server answering 451 to one message in ten: every message is still delivered, once."""
import pytest

from app.campaigns.sending import enqueue_sending
from app.extensions import db
from app.models import Delivery
from tests.helpers.faults import Sweeper, bulk_sending_campaign, campaign_status, delivery_statuses, wait_until

pytestmark = pytest.mark.slow

DELIVERIES = 300


@pytest.mark.worker_settings(SEND_BATCH_SIZE=50)
def test_transient_refusals_are_retried_until_every_message_is_delivered_once(app, services, smtp_server,
                                                                               worker_pool):
    smtp_server.reply("data", "451 4.3.0 Temporary local problem, try again later", chance=0.10)
    campaign_id = bulk_sending_campaign(DELIVERIES)
    worker_pool.start(1)
    enqueue_sending(campaign_id)

    wait_until(lambda: campaign_status(campaign_id) == "completed", 120, message="the campaign to complete",
               every=Sweeper(period=0.5))

    assert delivery_statuses(campaign_id) == {"sent": DELIVERIES}
    ids = smtp_server.message_ids()
    assert len(ids) == len(set(ids)) == DELIVERIES
    refused = sum(1 for stage, user, reply in smtp_server.state.refusals if reply.startswith("451"))
    retried = db.session.execute(db.select(db.func.count()).where(Delivery.campaign_id == campaign_id,
                                                                  Delivery.attempts > 0)).scalar()
    assert refused >= 10 and retried >= 10  # the fault really happened, and the retries recorded it
