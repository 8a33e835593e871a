"""A batch that stalls past its lease sends none of what it lost meanwhile.

A relay (or a database) that takes longer than the lease lets the sweep give the batch's deliveries
back, and another batch claim them. When the stalled batch wakes, its next lease renewal says what it
still holds; the rest belongs to the other batch, which sends it with the Message-ID it stored.
"""
import time

import pytest
from sqlalchemy import select, update

from app.campaigns import sending
from app.mailer import claims, dispatch
from app.extensions import db
from app.models import Delivery
from tests.helpers.sending_factories import make_sending_campaign

LEASE = 3  # renewed every second


@pytest.fixture
def app_config():
    return {"SEND_LEASE_SECONDS": LEASE}


def _take_over_the_rest_of_the_batch(engine, campaign_id, in_flight):
    """What the sweep and another batch do to a batch whose lease expired: its claimed deliveries change hands
    (all but the message in flight, which the relay accepts: that one is the batch's)."""
    with engine.begin() as conn:
        conn.execute(update(Delivery).where(Delivery.campaign_id == campaign_id, Delivery.status == "sending",
                                            Delivery.email.not_in(in_flight))
                     .values(claim_token="another-batch", message_id="<outra@claro.exemplo.com.br>"))


def test_a_batch_that_stalled_past_its_lease_does_not_send_what_another_batch_took(claro_on_2, smtp_server):
    campaign = make_sending_campaign(clients=10)
    engine, campaign_id, stalled = db.engine, campaign.id, []

    def slow_first_message(recipients):
        # The relay sits on the first message longer than a lease renewal period; meanwhile the rest is taken.
        if not stalled:
            stalled.append(True)
            _take_over_the_rest_of_the_batch(engine, campaign_id, recipients)
            time.sleep(LEASE / 3 + 0.3)

    smtp_server.state.on_data = slow_first_message
    result = sending.send_batch(campaign.id, chain=False)

    assert len(smtp_server.received) == 1
    assert result.sent == 1 and result.taken_over == 9
    taken = db.session.execute(select(Delivery.status, Delivery.claim_token, Delivery.message_id).where(
        Delivery.campaign_id == campaign_id, Delivery.status != "sent")).all()
    assert set(taken) == {("sending", "another-batch", "<outra@claro.exemplo.com.br>")} and len(taken) == 9


def test_a_batch_that_lost_its_claim_does_not_overwrite_the_message_id_of_the_batch_that_took_it(claro_on_2):
    campaign = make_sending_campaign(clients=2)
    token, ids = claims.claim(campaign.id, 10, LEASE)
    items, _boletos, _names = dispatch._load(ids)
    db.session.execute(update(Delivery).where(Delivery.id == ids[0]).values(claim_token="another-batch"))
    db.session.commit()

    dispatch._store_message_ids(items, "boletos@claro.exemplo.com.br", token)

    stored = dict(db.session.execute(select(Delivery.id, Delivery.message_id).where(Delivery.id.in_(ids))).all())
    assert stored[ids[0]] is None  # the other batch stores its own
    assert stored[ids[1]] == items[1].message_id
