"""Quota, rotation, alerts, pause and resume, against a real SMTP server enforcing quotas per account."""
from app.campaigns import sending
from app.extensions import db, mail
from app.mailer.bindings import set_binding
from app.models import Campaign, Delivery, ServiceUsage
from app.models.campaigns import COMPLETED, PAUSED
from tests.helpers.factories import make_service
from tests.helpers.jobs import run_jobs
from tests.helpers.sending_factories import bind, make_sending_campaign, operation
from tests.helpers.sending_state import alerts, binding_service, rotations, statuses


def users_of_received(server):
    return [m.user for m in server.received]


def test_quota_reply_at_mail_rotates_from_2_to_3(claro_on_2, smtp_server):
    smtp_server.set_quota("servico_2", 2, reply="550 5.4.5 Daily user sending quota exceeded", stage="mail")
    campaign = make_sending_campaign(clients=5)

    sending.send_batch(campaign.id)

    assert users_of_received(smtp_server) == ["servico_2"] * 2 + ["servico_3"] * 3
    assert binding_service() == "SERVICO_3"
    (rotation,) = rotations()
    assert (rotation.from_service.name, rotation.to_service.name, rotation.kind) == ("SERVICO_2", "SERVICO_3", "automatic")
    assert statuses(campaign.id) == {"sent": 5}


def test_quota_reply_at_auth_rotates_from_2_to_3(claro_on_2, smtp_server):
    smtp_server.reply("auth", "451 Authentication failed: Maximum credits exceeded", user="servico_2")
    campaign = make_sending_campaign(clients=3)

    sending.send_batch(campaign.id)

    assert users_of_received(smtp_server) == ["servico_3"] * 3
    assert binding_service() == "SERVICO_3"
    assert all(d.attempts == 0 for d in db.session.execute(db.select(Delivery)).scalars())


def test_counter_reaching_the_quota_rotates_before_the_next_send(services, smtp_server):
    services["SERVICO_2"].monthly_quota = 2
    db.session.commit()
    bind("CLARO", services["SERVICO_2"])
    campaign = make_sending_campaign(clients=4)

    sending.send_batch(campaign.id)

    assert users_of_received(smtp_server) == ["servico_2", "servico_2", "servico_3", "servico_3"]
    assert db.session.execute(db.select(ServiceUsage.sent).filter_by(service_id=services["SERVICO_2"].id)).scalar() == 2
    assert not smtp_server.state.refusals  # the server never had to refuse


def test_wraps_from_the_last_service_to_servico_2_never_servico_1(services, smtp_server):
    bind("CLARO", services["SERVICO_4"])
    smtp_server.set_quota("servico_4", 1)
    campaign = make_sending_campaign(clients=3)

    sending.send_batch(campaign.id)

    assert users_of_received(smtp_server) == ["servico_4", "servico_2", "servico_2"]
    assert binding_service() == "SERVICO_2"
    assert "servico_1" not in users_of_received(smtp_server)


def test_two_operations_on_one_service_both_move(services, smtp_server):
    bind("CLARO", services["SERVICO_2"])
    bind("NET", services["SERVICO_2"])
    smtp_server.set_quota("servico_2", 1)
    claro = make_sending_campaign("CLARO", clients=2)

    sending.send_batch(claro.id)

    assert binding_service("CLARO") == "SERVICO_3"
    assert binding_service("NET") == "SERVICO_3"
    assert sorted(r.operation.code for r in rotations()) == ["CLARO", "NET"]


def test_only_the_campaigns_own_operation_records_the_rotation_against_it(services, smtp_server):
    bind("CLARO", services["SERVICO_2"])
    bind("NET", services["SERVICO_2"])
    smtp_server.set_quota("servico_2", 1)
    claro = make_sending_campaign("CLARO", clients=2)

    sending.send_batch(claro.id)

    assert {r.operation.code: r.campaign_id for r in rotations()} == {"CLARO": claro.id, "NET": None}


def test_all_exhausted_pauses_then_a_new_service_resumes_and_completes(services, smtp_server):
    bind("CLARO", services["SERVICO_2"])
    for name in ("servico_2", "servico_3", "servico_4"):
        smtp_server.set_quota(name, 1)
    campaign = make_sending_campaign(clients=5)

    sending.send_batch(campaign.id)

    db.session.expire_all()
    paused = db.session.get(Campaign, campaign.id)
    assert paused.status == PAUSED and "Nenhum serviço" in paused.status_reason
    assert statuses(campaign.id) == {"sent": 3, "pending": 2}
    assert len(alerts("no_service")) == 1
    assert "servico_1" not in users_of_received(smtp_server)

    smtp_server.add_account("servico_5", "senha-5")
    make_service("SERVICO_5", host=smtp_server.host, port=smtp_server.port, security="none", username="servico_5",
                 password="senha-5", rotation_order=5)
    from app.campaigns.sweep import run_sweep

    run_sweep()
    run_jobs()

    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == COMPLETED
    assert statuses(campaign.id) == {"sent": 5}
    assert binding_service() == "SERVICO_5"


def test_one_alert_per_exhaustion(services, smtp_server):
    bind("CLARO", services["SERVICO_2"])
    bind("NET", services["SERVICO_3"])
    smtp_server.set_quota("servico_2", 1)
    first = make_sending_campaign("CLARO", clients=3)
    second = make_sending_campaign("CLARO", clients=3)

    sending.send_batch(first.id)
    sending.send_batch(second.id)
    from app.mailer.rotation import service_exhausted

    service_exhausted(services["SERVICO_2"], "again", by_reply=True)  # a late worker seeing the same reply

    quota_alerts = [a for a in alerts("quota_exhausted") if a.operation_id == operation("CLARO").id]
    assert len(quota_alerts) == 1
    alert = quota_alerts[0]
    assert alert.subject == "Limite de Envios Esgotado!"
    assert "<b>SERVICO_2</b>" in alert.body_html and "<b>Claro</b>" in alert.body_html
    assert "<b>SERVICO_3</b>" in alert.body_html  # the service now in use


def test_auth_failure_marks_the_service_broken_and_rotates(claro_on_2, smtp_server, services):
    smtp_server.state.accounts["servico_2"] = "outra-senha"
    campaign = make_sending_campaign(clients=2)

    sending.send_batch(campaign.id)

    db.session.expire_all()
    assert services["SERVICO_2"].broken_at is not None and "535" in services["SERVICO_2"].broken_reason
    assert users_of_received(smtp_server) == ["servico_3", "servico_3"]
    assert len(alerts("service_broken")) == 1


def test_a_manual_change_sends_the_confirmation_email(services, admin_user):
    bind("CLARO", services["SERVICO_2"])
    with mail.record_messages() as outbox:
        set_binding(operation("CLARO"), "boletos@claro.exemplo.com.br", services["SERVICO_3"], user=admin_user)

    assert [m.subject for m in outbox] == ["Serviço de envio alterado"]
    assert "SERVICO_3" in outbox[0].html and admin_user.email in outbox[0].html
    (rotation,) = rotations()
    assert (rotation.kind, rotation.user_id) == ("manual", admin_user.id)


def test_a_quota_event_sends_one_alert_that_lists_every_operation_moved(services, smtp_server):
    bind("CLARO", services["SERVICO_2"])
    bind("NET", services["SERVICO_2"])
    smtp_server.set_quota("servico_2", 0)
    campaign = make_sending_campaign(clients=1)
    with mail.record_messages() as outbox:
        sending.send_batch(campaign.id)

    assert [m.subject for m in outbox] == ["Limite de Envios Esgotado!"]
    assert "<b>Claro</b> passou para <b>SERVICO_3</b>" in outbox[0].html
    assert "<b>NET</b> passou para <b>SERVICO_3</b>" in outbox[0].html


def test_a_service_not_allowing_the_sender_is_skipped(services, smtp_server):
    services["SERVICO_3"].allowed_senders_list = ["outro@exemplo.com.br"]
    db.session.commit()
    bind("CLARO", services["SERVICO_2"])
    smtp_server.set_quota("servico_2", 0)
    campaign = make_sending_campaign(clients=1)

    sending.send_batch(campaign.id)

    assert binding_service() == "SERVICO_4"


def test_reaching_the_quota_with_the_last_message_rotates_at_once(services, smtp_server):
    services["SERVICO_2"].monthly_quota = 2
    db.session.commit()
    bind("CLARO", services["SERVICO_2"])

    sending.send_batch(make_sending_campaign(clients=2).id)

    assert binding_service() == "SERVICO_3"
    assert len(alerts("quota_exhausted")) == 1


def test_a_quota_reply_at_data_rotates_without_spending_attempts(claro_on_2, smtp_server):
    smtp_server.reply("data", "454 Throttling failure: Daily message quota exceeded", user="servico_2")
    campaign = make_sending_campaign(clients=2)

    sending.send_batch(campaign.id)

    assert users_of_received(smtp_server) == ["servico_3", "servico_3"]
    assert [d.attempts for d in db.session.execute(db.select(Delivery)).scalars()] == [0, 0]


def test_a_service_refusing_connections_delays_the_batch_without_spending_attempts(claro_on_2, smtp_server):
    smtp_server.reply("connect", "421 Service not available")
    campaign = make_sending_campaign(clients=2)

    sending.send_batch(campaign.id)

    deliveries = db.session.execute(db.select(Delivery)).scalars().all()
    assert [(d.status, d.attempts) for d in deliveries] == [("pending", 0), ("pending", 0)]
    assert all(d.next_attempt_at and "421" in d.last_error for d in deliveries)
    assert binding_service() == "SERVICO_2"
