"""The sending pages of the panel: binding change with confirmation, services, history, template preview."""
from app.campaigns import sending
from app.extensions import db, mail
from tests.helpers.sending_factories import make_sending_campaign, operation
from tests.helpers.sending_state import binding_service
from tests.helpers.web import csrf_from


def _post(client, url, data, page_url):
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=True)


def test_the_binding_page_lists_each_operation_with_sender_and_service(claro_on_2, admin_client):
    html = admin_client.get("/admin/servico-de-envio/").get_data(as_text=True)

    assert "boletos@claro.exemplo.com.br" in html and "SERVICO_2" in html and "Atualizar" in html
    assert "SERVICO_1 (fora do rodízio)" in html


def test_binding_servico_1_warns_and_needs_a_confirmation(claro_on_2, admin_client, services):
    form = {"operation_id": operation("CLARO").id, "service_id": services["SERVICO_1"].id,
            "sender_email": "boletos@claro.exemplo.com.br"}

    page = _post(admin_client, "/admin/servico-de-envio/atualizar", form, "/admin/servico-de-envio/").get_data(as_text=True)

    assert "fora do rodízio" in page and "Confirmar alteração" in page
    assert binding_service() == "SERVICO_2"  # nothing changed yet


def test_confirming_changes_the_binding_and_emails_the_admins(claro_on_2, admin_client, services):
    form = {"operation_id": operation("CLARO").id, "service_id": services["SERVICO_3"].id,
            "sender_email": "boletos@claro.exemplo.com.br", "confirmed": "1"}
    with mail.record_messages() as outbox:
        page = _post(admin_client, "/admin/servico-de-envio/atualizar", form, "/admin/servico-de-envio/")

    assert "alterado para SERVICO_3" in page.get_data(as_text=True)
    assert binding_service() == "SERVICO_3"
    assert [m.subject for m in outbox] == ["Serviço de envio alterado"]


def test_a_sender_the_service_does_not_allow_is_warned(claro_on_2, admin_client, services):
    services["SERVICO_3"].allowed_senders_list = ["outro@exemplo.com.br"]
    db.session.commit()
    form = {"operation_id": operation("CLARO").id, "service_id": services["SERVICO_3"].id,
            "sender_email": "boletos@claro.exemplo.com.br"}

    page = _post(admin_client, "/admin/servico-de-envio/atualizar", form, "/admin/servico-de-envio/").get_data(as_text=True)

    assert "não permite enviar como boletos@claro.exemplo.com.br" in page


def test_operators_cannot_change_bindings(claro_on_2, operator_client):
    assert operator_client.get("/admin/servico-de-envio/").status_code == 403


def test_the_services_page_shows_usage_and_an_exhausted_badge(claro_on_2, smtp_server, admin_client, services):
    services["SERVICO_2"].monthly_quota = 1
    db.session.commit()
    sending.send_batch(make_sending_campaign(clients=2).id)

    html = admin_client.get("/admin/servicos/").get_data(as_text=True)

    assert "progress-bar" in html and "esgotado" in html and "Testar conexão" in html and "Enviar teste" in html


def test_testing_a_connection_reports_the_servers_answer(services, admin_client, smtp_server):
    page = _post(admin_client, f"/admin/servicos/testar/{services['SERVICO_2'].id}", {}, "/admin/servico-de-envio/")

    assert "Conexão com SERVICO_2 OK" in page.get_data(as_text=True)


def test_testing_a_connection_with_a_wrong_password_says_so(services, admin_client, smtp_server):
    smtp_server.state.accounts["servico_2"] = "outra"

    page = _post(admin_client, f"/admin/servicos/testar/{services['SERVICO_2'].id}", {}, "/admin/servico-de-envio/")

    assert "Falha ao testar SERVICO_2" in page.get_data(as_text=True) and "535" in page.get_data(as_text=True)


def test_send_test_reaches_the_admin(claro_on_2, admin_client, admin_user, smtp_server, services):
    _post(admin_client, f"/admin/servicos/enviar-teste/{services['SERVICO_3'].id}", {}, "/admin/servico-de-envio/")

    assert smtp_server.recipients() == [admin_user.email]


def test_the_history_shows_rotations_and_alerts(claro_on_2, smtp_server, operator_client):
    smtp_server.set_quota("servico_2", 0)
    sending.send_batch(make_sending_campaign(clients=1).id)

    html = operator_client.get("/admin/historico-de-envio/").get_data(as_text=True)

    assert "SERVICO_3" in html and "Automática" in html and "Limite de Envios Esgotado!" in html


def test_a_campaign_type_preview_renders_the_sample_and_sends_a_test_to_me(claro_on_2, admin_client, admin_user, smtp_server):
    from app.models import CampaignType

    ctype = db.session.execute(db.select(CampaignType).filter_by(operation_id=operation("CLARO").id)).scalars().first()
    html = admin_client.get(f"/admin/tipos-de-campanha/previa/{ctype.id}").get_data(as_text=True)
    assert "R$ 1.234,56" in html and "05/08/2026" in html

    _post(admin_client, f"/admin/tipos-de-campanha/previa/{ctype.id}/enviar", {}, f"/admin/tipos-de-campanha/previa/{ctype.id}")

    (message,) = smtp_server.received
    assert message.rcpt_tos == [admin_user.email]
    assert any(p.get_content_type() == "application/pdf" for p in message.parsed().iter_attachments())


def test_a_broken_template_is_shown_as_a_problem_in_the_preview(seeded, admin_client):
    from app.models import CampaignType

    ctype = db.session.execute(db.select(CampaignType)).scalars().first()
    ctype.subject_template = "{{ nome "
    db.session.commit()

    html = admin_client.get(f"/admin/tipos-de-campanha/previa/{ctype.id}").get_data(as_text=True)

    assert "Erro no modelo do e-mail" in html and "Enviar teste" not in html


def _mark_broken(service):
    from datetime import datetime, timezone

    service.broken_at, service.broken_reason = datetime.now(timezone.utc), "conexão: certificate verify failed"
    db.session.commit()


def _service(service_id):
    from app.models import EmailService

    db.session.expire_all()
    return db.session.get(EmailService, service_id)


def test_a_successful_connection_test_clears_the_defect(services, admin_client, smtp_server):
    _mark_broken(services["SERVICO_2"])

    page = _post(admin_client, f"/admin/servicos/testar/{services['SERVICO_2'].id}", {}, "/admin/servico-de-envio/")

    assert "SERVICO_2 não está mais marcado com defeito" in page.get_data(as_text=True)
    assert _service(services["SERVICO_2"].id).broken_at is None


def test_a_failed_connection_test_keeps_the_defect(services, admin_client, smtp_server):
    _mark_broken(services["SERVICO_2"])
    smtp_server.state.accounts["servico_2"] = "outra"

    _post(admin_client, f"/admin/servicos/testar/{services['SERVICO_2'].id}", {}, "/admin/servico-de-envio/")

    assert _service(services["SERVICO_2"].id).broken_at is not None


def _edit_form(service, **changes):
    form = {"name": service.name, "host": service.host, "port": str(service.port), "security": service.security,
            "username": service.username, "password": "", "monthly_quota": str(service.monthly_quota),
            "max_connections": str(service.max_connections), "max_per_minute": str(service.max_per_minute),
            "rotation_order": str(service.rotation_order), "active": "y", "allowed_senders": ""}
    return {**form, **changes}


def test_editing_the_port_or_encryption_clears_the_defect(services, admin_client):
    service = services["SERVICO_2"]
    _mark_broken(service)
    url = f"/admin/servicos/edit/?id={service.id}"

    _post(admin_client, url, _edit_form(service, monthly_quota="2000"), url)
    assert _service(service.id).broken_at is not None  # nothing that could have broken it changed

    _post(admin_client, url, _edit_form(_service(service.id), security="ssl", port="465"), url)
    assert _service(service.id).broken_at is None
