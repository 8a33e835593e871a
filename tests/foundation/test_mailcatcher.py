"""The local mail catcher stores what it receives and enforces the demo quota."""
import smtplib
import socket
from email.message import EmailMessage

import pytest

from app.extensions import db
from app.models import CapturedEmail
from devtools.mailcatcher import make_controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def catcher(app):
    port = free_port()
    controller = make_controller(app, port=port, quotas={"servico_2": 2})
    controller.start()
    yield port
    controller.stop()


def send(port, login, subject="Oi"):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = "a@x.test", "b@y.test", subject, "<m1@x.test>"
    msg.set_content("corpo")
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
        smtp.login(login, "qualquer")
        smtp.send_message(msg)


def test_received_message_is_stored(catcher):
    send(catcher, "servico_3", "Assunto com acentuação")
    db.session.expire_all()
    row = db.session.execute(db.select(CapturedEmail)).scalar_one()
    assert (row.subject, row.auth_user, row.rcpt_tos, row.message_id) == ("Assunto com acentuação", "servico_3", "b@y.test", "<m1@x.test>")


def test_demo_quota_answers_with_a_quota_reply(catcher):
    send(catcher, "servico_2")
    send(catcher, "servico_2")
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        send(catcher, "servico_2")
    assert refused.value.smtp_code == 452
    assert b"limit exceeded" in refused.value.smtp_error
