"""STARTTLS and implicit TLS against a real SMTP server with a certificate from a private CA.

The servers here refuse MAIL and AUTH before TLS (STARTTLS mode) or speak TLS from the first
byte (SSL mode), and record whether each message came encrypted.
"""
import pytest

from app.campaigns import sending
from app.extensions import db
from app.mailer.classify import BROKEN, CONNECT, SmtpFault, classify_fault
from app.mailer.transport import SmtpTransport
from tests.helpers.sending_factories import bind, make_sending_campaign, make_services
from tests.helpers.sending_state import alerts
from tests.helpers.smtp_server import SmtpTestServer
from tests.helpers.tls import make_certificates


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def trust_test_ca(app, certificates, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_CA_FILE", str(certificates.ca_file))


@pytest.fixture(params=["starttls", "ssl"])
def tls_server(request, certificates):
    with SmtpTestServer(tls=request.param, certificates=certificates) as server:
        server.mode = request.param
        yield server


def tls_services(seeded, server):
    services = make_services(server, count=3)
    for service in services.values():
        service.security = server.mode
    db.session.commit()
    return services


def test_a_campaign_is_delivered_encrypted(seeded, tls_server, trust_test_ca):
    bind("CLARO", tls_services(seeded, tls_server)["SERVICO_2"])
    campaign = make_sending_campaign(clients=3)

    sending.send_batch(campaign.id)

    assert [(m.user, m.encrypted) for m in tls_server.received] == [("servico_2", True)] * 3


def test_an_untrusted_certificate_marks_the_service_broken_and_rotates(seeded, tls_server, smtp_server):
    # SMTP_CA_FILE unset: the private CA is not trusted, as a wrong certificate in production would not be.
    services = tls_services(seeded, tls_server)
    smtp_server.add_account("servico_3", "senha-3")
    services["SERVICO_3"].port, services["SERVICO_3"].security = smtp_server.port, "none"
    db.session.commit()
    bind("CLARO", services["SERVICO_2"])
    campaign = make_sending_campaign(clients=2)

    sending.send_batch(campaign.id)

    db.session.expire_all()
    assert "certificado TLS não confiável" in services["SERVICO_2"].broken_reason
    assert tls_server.received == [] and [m.user for m in smtp_server.received] == ["servico_3", "servico_3"]
    assert len(alerts("service_broken")) == 1


def test_starttls_asked_of_a_server_without_it_is_a_service_fault(smtp_server):
    transport = SmtpTransport(smtp_server.host, smtp_server.port, "starttls")

    with pytest.raises(SmtpFault) as raised:
        transport.open()

    assert (raised.value.stage, classify_fault(raised.value)) == (CONNECT, BROKEN)
    assert "STARTTLS" in raised.value.text


def test_no_encryption_against_a_server_that_requires_it_never_logs_in(certificates):
    with SmtpTestServer(tls="starttls", certificates=certificates) as server:
        server.add_account("servico_2", "senha-2")
        transport = SmtpTransport(server.host, server.port, "none", "servico_2", "senha-2")

        with pytest.raises(SmtpFault) as raised:
            transport.open()

    assert raised.value.stage == "auth" and classify_fault(raised.value) == BROKEN


def test_ssl_asked_of_a_plain_server_says_so_in_portuguese_and_is_a_service_fault(smtp_server):
    transport = SmtpTransport(smtp_server.host, smtp_server.port, "ssl", timeout=5)

    with pytest.raises(SmtpFault) as raised:
        transport.open()

    assert classify_fault(raised.value) == BROKEN and "falha ao negociar TLS" in raised.value.text
