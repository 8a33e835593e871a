"""Sending and the suppression list: a suppressed address is never sent to, spends no quota, and is counted."""
from __future__ import annotations

from app.bounces import suppression
from app.campaigns import sending
from app.extensions import db
from app.models import Campaign, Delivery, ServiceUsage
from app.models.bounces import SOURCE_BOUNCE
from app.models.campaigns import COMPLETED
from tests.helpers.sending_factories import make_sending_campaign
from tests.helpers.sending_state import statuses


def _counters(campaign_id: int) -> dict[str, int]:
    db.session.expire_all()
    c = db.session.get(Campaign, campaign_id)
    return {"sent": c.emails_sent, "failed": c.emails_failed, "pending": c.emails_pending,
            "bounced": c.emails_bounced, "suppressed": c.emails_suppressed}


def _sent_this_month() -> int:
    db.session.expire_all()
    return sum(u.sent + u.reserved for u in db.session.execute(db.select(ServiceUsage)).scalars())


def test_a_suppressed_address_is_skipped_recorded_and_spends_no_quota(claro_on_2, smtp_server):
    campaign = make_sending_campaign(clients=3)
    blocked = f"cliente{campaign.id}-1-0@exemplo.com.br"
    suppression.suppress(blocked.upper(), "550 5.1.1 User unknown", SOURCE_BOUNCE)
    db.session.commit()

    sending.send_batch(campaign.id)

    assert blocked not in smtp_server.recipients()
    delivery = db.session.execute(db.select(Delivery).filter_by(email=blocked)).scalar_one()
    assert (delivery.status, delivery.last_error) == ("suppressed", "Endereço bloqueado: 550 5.1.1 User unknown")
    assert _sent_this_month() == 2
    assert _counters(campaign.id) == {"sent": 2, "failed": 0, "pending": 0, "bounced": 0, "suppressed": 1}
    assert db.session.get(Campaign, campaign.id).status == COMPLETED


def test_a_campaign_whose_addresses_are_all_suppressed_completes_without_sending(claro_on_2, smtp_server):
    campaign = make_sending_campaign(clients=2)
    for c in range(2):
        suppression.suppress(f"cliente{campaign.id}-{c}-0@exemplo.com.br", "manual")
    db.session.commit()

    sending.send_batch(campaign.id)

    assert (smtp_server.recipients(), _sent_this_month()) == ([], 0)
    assert statuses(campaign.id) == {"suppressed": 2}
    assert db.session.get(Campaign, campaign.id).status == COMPLETED


def test_the_envelope_sender_is_the_bounce_mailbox_address(claro_on_2, smtp_server):
    from app.models import BounceMailbox

    db.session.add(BounceMailbox(host="127.0.0.1", port=1, security="none", username="u",
                                 envelope_sender="devolucoes@claro.exemplo.com.br"))
    db.session.commit()
    campaign = make_sending_campaign(clients=1)

    sending.send_batch(campaign.id)

    message = smtp_server.received[0]
    assert (message.mail_from, message.parsed()["From"].addresses[0].addr_spec) == (
        "devolucoes@claro.exemplo.com.br", "boletos@claro.exemplo.com.br")
