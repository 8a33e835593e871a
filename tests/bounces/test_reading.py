"""Reading the bounce mailbox over real IMAP (Dovecot): each kind of message ends where it should."""
from __future__ import annotations

import pytest

from app.bounces import poll
from app.campaigns import sending
from app.extensions import db
from app.models import Campaign, Delivery, Suppression
from tests.bounces import samples
from tests.helpers.sending_factories import make_sending_campaign

PROCESSED = "Preventivo/processados"


@pytest.fixture
def sent(claro_on_2, smtp_server):
    """A campaign of three clients, all sent; returns its deliveries by id order."""
    campaign = make_sending_campaign(clients=3)
    sending.send_batch(campaign.id)
    db.session.expire_all()
    return db.session.execute(db.select(Delivery).order_by(Delivery.id)).scalars().all()


def _delivery(delivery_id: int) -> Delivery:
    db.session.expire_all()
    return db.session.get(Delivery, delivery_id)


def _suppressed() -> dict[str, str]:
    return {s.email: s.source for s in db.session.execute(db.select(Suppression)).scalars()}


@pytest.mark.parametrize("kind", [samples.dsn, samples.postfix, samples.exim], ids=["dsn", "postfix", "exim"])
def test_a_hard_bounce_marks_its_delivery_bounced_suppresses_the_address_and_is_moved(kind, sent, imap, mailbox):
    target = sent[1]
    imap.deliver(kind(target.email, target.message_id))

    poll.read_all()

    delivery = _delivery(target.id)
    assert (delivery.status, "5.1.1" in delivery.bounce_reason) == ("bounced", True)
    assert _suppressed() == {target.email: "bounce"}
    assert (imap.count("INBOX"), imap.count(PROCESSED)) == (0, 1)


def test_a_bounce_without_the_original_message_id_is_matched_by_recipient(sent, imap, mailbox):
    target = sent[2]
    imap.deliver(samples.dsn(target.email, None))

    poll.read_all()

    assert _delivery(target.id).status == "bounced"


def test_an_auto_reply_is_not_a_bounce_and_stays_in_the_inbox(sent, imap, mailbox):
    imap.deliver(samples.auto_reply(sent[0].email, sent[0].message_id))

    poll.read_all()

    assert (_delivery(sent[0].id).status, _suppressed()) == ("sent", {})
    assert (imap.count("INBOX"), imap.count(PROCESSED)) == (1, 0)


def test_a_soft_bounce_is_recorded_on_the_delivery_without_suppressing(sent, imap, mailbox):
    target = sent[0]
    imap.deliver(samples.soft_dsn(target.email, target.message_id))

    poll.read_all()

    delivery = _delivery(target.id)
    assert (delivery.status, delivery.soft_bounces, "4.2.2" in delivery.bounce_reason) == ("sent", 1, True)
    assert _suppressed() == {}
    assert (imap.count("INBOX"), imap.count(PROCESSED)) == (0, 1)


def test_soft_bounce_limit_soft_bounces_suppress_the_address(sent, imap, mailbox):
    target = sent[0]
    for _ in range(3):  # SOFT_BOUNCE_LIMIT, default 3
        imap.deliver(samples.soft_dsn(target.email, target.message_id))

    poll.read_all()

    assert _suppressed() == {target.email: "bounce"}
    assert _delivery(target.id).status == "sent"


def test_reading_the_same_mailbox_twice_changes_nothing(sent, imap, mailbox):
    target = sent[1]
    imap.deliver(samples.dsn(target.email, target.message_id))
    imap.deliver(samples.auto_reply(sent[0].email, None))
    poll.read_all()
    db.session.expire_all()
    before = (Campaign.query.one().emails_sent, Campaign.query.one().emails_bounced, _suppressed(),
              imap.count("INBOX"), imap.count(PROCESSED))

    poll.read_all()

    db.session.expire_all()
    assert (Campaign.query.one().emails_sent, Campaign.query.one().emails_bounced, _suppressed(),
            imap.count("INBOX"), imap.count(PROCESSED)) == before


def test_the_same_bounce_delivered_again_is_recorded_once(sent, imap, mailbox):
    target = sent[0]
    bounce = samples.soft_dsn(target.email, target.message_id)
    imap.deliver(bounce)
    poll.read_all()
    imap.deliver(bounce)  # e.g. moved back to INBOX by a person

    poll.read_all()

    assert _delivery(target.id).soft_bounces == 1


def test_a_mailbox_over_tls_is_read(sent, imap, mailbox, app):
    mailbox.security, mailbox.port = "ssl", imap.tls_port
    db.session.commit()
    app.config["SMTP_CA_FILE"] = str(imap.certificates.ca_file)
    imap.deliver(samples.dsn(sent[0].email, sent[0].message_id))

    results = poll.read_all()

    assert (results[mailbox.id].error, _delivery(sent[0].id).status) == (None, "bounced")


def test_the_read_is_a_periodic_job_every_bounce_poll_minutes(app):
    from workers.schedule import periodic_jobs

    app.config["BOUNCE_POLL_MINUTES"] = 2

    assert {"func": "app.bounces.poll.poll_job", "interval": 120, "queue": "maintenance", "timeout": 600} in \
        periodic_jobs()


def test_an_operations_own_mailbox_matches_by_recipient_only_that_operations_deliveries(sent, imap, mailbox):
    from tests.helpers.sending_factories import operation

    mailbox.operation_id = operation("NET").id
    db.session.commit()
    imap.deliver(samples.dsn(sent[0].email, None))  # a CLARO delivery, no Message-ID returned

    poll.read_all()

    assert (_delivery(sent[0].id).status, _suppressed()) == ("sent", {sent[0].email: "bounce"})
