"""Each acceptance is recorded before the server can accept the next message: never more than one
accepted message unrecorded, the one a dying worker may send twice (on PostgreSQL the record commits
on a second connection during the next message's MAIL, RCPT and DATA; on SQLite in line)."""
from sqlalchemy import func, select

from app.campaigns import sending
from app.extensions import db
from app.models import Delivery
from tests.helpers.sending_factories import make_sending_campaign


def test_every_earlier_acceptance_is_recorded_before_the_server_can_accept_the_next(claro_on_2, smtp_server):
    campaign = make_sending_campaign(clients=30)
    lag = []
    engine, campaign_id = db.engine, campaign.id  # the callback runs in the server's thread, outside the app

    def before_accepting(_recipients):
        # The server is about to accept message n; the n - 1 before it were accepted already.
        accepted_before = len(smtp_server.received)
        with engine.connect() as conn:
            recorded = conn.execute(select(func.count()).select_from(Delivery).where(
                Delivery.campaign_id == campaign_id, Delivery.status == "sent")).scalar_one()
        lag.append(accepted_before - recorded)

    smtp_server.state.on_data = before_accepting
    sending.send_batch(campaign.id)

    assert len(lag) == 30 and max(lag) == 0
    assert db.session.execute(select(func.count()).select_from(Delivery).where(
        Delivery.status == "sent")).scalar_one() == 30
