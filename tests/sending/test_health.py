"""Service health against real servers: a closed port, a port that speaks TLS first, a server that stops
and comes back. "Sem conexão" after SERVICE_DOWN_AFTER failures in a row, one alert per episode, the
operation rotates, nothing is lost or sent twice, and the probe brings the service back."""
import time

import pytest

from app.campaigns import sending
from app.campaigns.sweep import run_sweep
from app.extensions import db
from app.mailer.health import probe_unreachable
from app.mailer.transport import SmtpTransport
from app.models import Campaign, EmailService
from app.models.campaigns import COMPLETED, PAUSED
from tests.helpers.factories import make_service
from tests.helpers.jobs import run_jobs
from tests.helpers.sending_factories import bind, make_sending_campaign, make_services
from tests.helpers.sending_state import alerts, binding_service, statuses
from tests.helpers.smtp_server import SmtpTestServer, free_port
from tests.helpers.tls import make_certificates

GREETING_HINT = "o servidor não enviou a saudação SMTP: confira a porta e a segurança (465 costuma ser SSL)"


def _point_at(service: EmailService, port: int, security: str = "none") -> None:
    service.port, service.security = port, security
    db.session.commit()


def _service(name: str) -> EmailService:
    db.session.expire_all()
    return db.session.execute(db.select(EmailService).filter_by(name=name)).scalar_one()


def test_a_closed_port_is_marked_after_three_failures_and_the_campaign_completes_elsewhere(services, smtp_server):
    _point_at(services["SERVICO_2"], free_port())
    bind("CLARO", services["SERVICO_2"])
    campaign = make_sending_campaign(clients=3)

    sending.send_batch(campaign.id)

    service = _service("SERVICO_2")
    assert (service.health, service.connect_failures) == ("unreachable", 3)
    assert service.health_reason.startswith("conexão recusada por 127.0.0.1:")
    assert binding_service() == "SERVICO_3"
    assert [a.subject for a in alerts("service_unreachable")] == ["Serviço sem conexão: SERVICO_2"]
    assert statuses(campaign.id) == {"sent": 3}
    assert sorted(smtp_server.recipients()) == sorted(set(smtp_server.recipients()))
    assert db.session.get(Campaign, campaign.id).status == COMPLETED


def test_the_probe_clears_the_mark_once_the_server_answers_and_alerts_once(services, smtp_server, clock):
    port = free_port()
    _point_at(services["SERVICO_2"], port)
    bind("CLARO", services["SERVICO_2"])
    sending.send_batch(make_sending_campaign(clients=1).id)
    assert _service("SERVICO_2").health == "unreachable"

    clock.move(minutes=3)
    assert probe_unreachable() == 0  # still nobody there
    with SmtpTestServer(port=port):
        clock.move(minutes=3)
        assert probe_unreachable() == 1
        clock.move(minutes=3)
        assert probe_unreachable() == 0

    assert _service("SERVICO_2").health == "ok"
    assert [a.subject for a in alerts("service_reconnected")] == ["Serviço reconectado: SERVICO_2"]
    assert binding_service() == "SERVICO_3"  # operations are not moved back by themselves


def test_with_nothing_eligible_left_the_campaign_pauses_with_the_reason_and_resumes_when_a_service_is_added(
        seeded, smtp_server):
    services = make_services(smtp_server, count=2)  # SERVICO_1 is out of rotation: SERVICO_2 is all there is
    _point_at(services["SERVICO_2"], free_port())
    bind("CLARO", services["SERVICO_2"])
    campaign = make_sending_campaign(clients=2)

    sending.send_batch(campaign.id)

    db.session.expire_all()
    paused = db.session.get(Campaign, campaign.id)
    assert paused.status == PAUSED
    assert "sem conexão" in paused.status_reason and "conexão recusada" in paused.status_reason
    assert statuses(campaign.id) == {"pending": 2}

    smtp_server.add_account("servico_5", "senha-5")
    make_service("SERVICO_5", host=smtp_server.host, port=smtp_server.port, security="none", username="servico_5",
                 password="senha-5", rotation_order=5)
    run_sweep()
    run_jobs()

    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == COMPLETED
    assert statuses(campaign.id) == {"sent": 2}


@pytest.mark.slow
def test_starttls_on_a_port_that_speaks_tls_first_is_marked_with_the_port_hint_within_40_seconds(
        seeded, smtp_server, tmp_path):
    with SmtpTestServer(tls="ssl", certificates=make_certificates(tmp_path)) as tls_first:
        services = make_services(smtp_server, count=3)
        _point_at(services["SERVICO_2"], tls_first.port, security="starttls")
        bind("CLARO", services["SERVICO_2"])
        campaign = make_sending_campaign(clients=1)

        started = time.monotonic()
        sending.send_batch(campaign.id)
        elapsed = time.monotonic() - started

    service = _service("SERVICO_2")
    assert (service.health, service.connect_failures) == ("unreachable", 3)
    assert service.health_reason.startswith(GREETING_HINT)
    assert elapsed < 40
    assert statuses(campaign.id) == {"sent": 1}  # through SERVICO_3


def test_a_server_that_stops_mid_campaign_and_returns_loses_and_doubles_nothing(seeded, app, clock):
    app.config["SEND_BATCH_SIZE"] = 2
    server = SmtpTestServer().start()
    port = server.port
    services = make_services(server, count=2, max_connections=1)  # one session: two messages, then the stop
    bind("CLARO", services["SERVICO_2"])
    campaign = make_sending_campaign(clients=5)
    sending.send_batch(campaign.id, chain=False)
    sent_before = server.message_ids()
    server.stop()  # the relay goes away mid-campaign

    sending.send_batch(campaign.id, chain=False)

    db.session.expire_all()
    waiting = db.session.get(Campaign, campaign.id)
    assert waiting.status == PAUSED and "sem conexão" in waiting.status_reason
    assert len(alerts("service_unreachable")) == 1

    with SmtpTestServer(port=port) as back:
        for name in ("servico_1", "servico_2"):
            back.add_account(name, f"senha-{name[-1]}")
        clock.move(minutes=3)
        run_sweep()  # the probe finds it, the campaign resumes
        run_jobs()
        sent_after = back.message_ids()

    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == COMPLETED
    everything = sent_before + sent_after
    assert len(everything) == 5 and len(set(everything)) == 5
    assert len(alerts("service_unreachable")) == 1 and len(alerts("service_reconnected")) == 1


def test_test_connection_names_the_silent_greeting(app, tmp_path):
    app.config["SMTP_CONNECT_TIMEOUT"] = 1
    with SmtpTestServer(tls="ssl", certificates=make_certificates(tmp_path)) as tls_first:
        transport = SmtpTransport(tls_first.host, tls_first.port, "starttls", connect_timeout=1)
        with pytest.raises(Exception) as refused:
            transport.probe()
    assert str(refused.value).startswith(GREETING_HINT)


def test_a_wrong_password_is_tried_with_one_mechanism_only(claro_on_2, smtp_server, services):
    services["SERVICO_2"].set_password("senha-errada")
    db.session.commit()

    sending.send_batch(make_sending_campaign(clients=1).id)

    assert [user for _mechanism, user in smtp_server.auth_attempts if user == "servico_2"] == ["servico_2"]
