"""A late bounce moves a delivery from Enviados to Devolvidos with the counters equal to the deliveries; an
unreachable mailbox raises one alert per episode; the IMAP password never shows up in logs."""
from __future__ import annotations

import logging
from collections import Counter

from app.bounces import poll
from app.campaigns import sending
from app.extensions import db
from app.models import Alert, Campaign, Delivery
from tests.bounces import samples
from tests.helpers.sending_factories import make_sending_campaign
from tests.helpers.smtp_server import free_port


def _counters_and_sums(campaign_id: int):
    db.session.expire_all()
    c = db.session.get(Campaign, campaign_id)
    counters = {"sent": c.emails_sent, "failed": c.emails_failed, "pending": c.emails_pending,
                "bounced": c.emails_bounced, "suppressed": c.emails_suppressed}
    sums = Counter(db.session.execute(db.select(Delivery.status).where(Delivery.campaign_id == campaign_id)).scalars())
    return counters, {k: sums.get(k, 0) for k in counters}


def test_counters_equal_the_deliveries_before_and_after_a_late_bounce(claro_on_2, smtp_server, imap, mailbox):
    campaign = make_sending_campaign(clients=4)
    sending.send_batch(campaign.id)
    before, before_sums = _counters_and_sums(campaign.id)
    target = db.session.execute(db.select(Delivery).order_by(Delivery.id)).scalars().first()
    imap.deliver(samples.dsn(target.email, target.message_id))

    poll.read_all()

    after, after_sums = _counters_and_sums(campaign.id)
    assert (before == before_sums, after == after_sums) == (True, True)
    assert (before["sent"], after["sent"], after["bounced"]) == (4, 3, 1)


def _unreachable(app, mailbox) -> None:
    mailbox.port = free_port()  # nothing listens there
    db.session.commit()


def test_an_unreachable_mailbox_raises_one_alert_per_episode(app, mailbox):
    _unreachable(app, mailbox)

    poll.read_all()
    poll.read_all()

    alerts = db.session.execute(db.select(Alert).filter_by(kind="bounce_mailbox_unreachable")).scalars().all()
    assert len(alerts) == 1 and "sem conexão" in alerts[0].body_html


def test_a_recovered_mailbox_ends_the_episode(app, imap, mailbox, clock):
    port = mailbox.port
    _unreachable(app, mailbox)
    poll.read_all()
    mailbox.port = port
    db.session.commit()
    poll.read_all()  # recovered
    clock.move(minutes=5)
    _unreachable(app, mailbox)

    poll.read_all()

    assert db.session.execute(db.select(db.func.count(Alert.id)).filter_by(kind="bounce_mailbox_unreachable")
                              ).scalar() == 2


def test_the_imap_password_never_appears_in_the_logs(app, imap, mailbox, caplog):
    caplog.set_level(logging.DEBUG)
    mailbox.set_password("Senha-Errada-Secreta-77")
    db.session.commit()

    poll.read_all()  # refused: the failure is logged and alerted

    alert = db.session.execute(db.select(Alert)).scalar_one()
    assert "Senha-Errada-Secreta-77" not in caplog.text + alert.body_html
    assert "recusad" in alert.body_html or "IMAP" in alert.body_html


def test_bounce_events_older_than_retention_days_are_forgotten(app, clock):
    from datetime import timedelta

    from app.models import BounceEvent
    from app.timeutil import now_utc

    db.session.add_all([BounceEvent(message_key="<old@x>", email="a@exemplo.com.br", kind="soft",
                                    received_at=now_utc() - timedelta(days=app.config["RETENTION_DAYS"] + 1)),
                        BounceEvent(message_key="<new@x>", email="a@exemplo.com.br", kind="soft", received_at=now_utc())])
    db.session.commit()

    poll.read_all()

    assert db.session.execute(db.select(BounceEvent.message_key)).scalars().all() == ["<new@x>"]
