"""Alerts people can read: a text/plain part that says what the HTML says, sent from MAIL_DEFAULT_SENDER,
and every reason Portuguese first with the server's own words in brackets."""
import re

from app.campaigns import sending
from app.extensions import db, mail
from app.models import Delivery, Rotation
from tests.helpers.sending_factories import make_sending_campaign

ENGLISH_REPLY = "452 4.5.3 Daily message limit exceeded"


def test_an_alert_has_a_text_part_equal_to_its_html(claro_on_2, smtp_server, app):
    smtp_server.set_quota("servico_2", 0, reply=ENGLISH_REPLY, stage="rcpt")
    with mail.record_messages() as outbox:
        sending.send_batch(make_sending_campaign(clients=1).id)

    (alert,) = outbox
    assert alert.sender == app.config["MAIL_DEFAULT_SENDER"] and "@localhost" not in alert.sender
    words = lambda text: re.sub(r"[*`_<>/]|\b(b|p|ul|li)\b", " ", text).split()  # noqa: E731
    assert alert.body and words(alert.body) == [w for w in words(re.sub(r"<[^>]+>", " ", alert.html)) if w]


def test_the_english_reply_never_stands_alone(claro_on_2, smtp_server):
    smtp_server.set_quota("servico_2", 0, reply=ENGLISH_REPLY, stage="rcpt")
    campaign = make_sending_campaign(clients=1)
    with mail.record_messages() as outbox:
        sending.send_batch(campaign.id)

    expected = f"O servidor recusou por limite diário de envios [{ENGLISH_REPLY}]"
    (rotation,) = db.session.execute(db.select(Rotation)).scalars().all()
    assert expected in rotation.reason
    assert expected in outbox[0].body and expected in outbox[0].html


def test_a_refused_recipient_reads_in_portuguese_on_its_row(claro_on_2, smtp_server):
    smtp_server.reply("rcpt", "550 5.1.1 no such user")
    campaign = make_sending_campaign(clients=1)

    sending.send_batch(campaign.id)

    delivery = db.session.execute(db.select(Delivery)).scalar_one()
    assert delivery.last_error == "O servidor recusou o destinatário (endereço inexistente ou inválido) " \
                                  "[550 5.1.1 no such user]"
