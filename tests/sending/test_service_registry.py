"""A service with a binding or a history cannot be deleted (panel and API say why and offer deactivation);
history keeps the names as they were; the binding page never shows a service an operation is not on."""
from app.campaigns import sending
from app.extensions import db
from app.models import EmailService, Rotation
from tests.helpers.factories import make_service
from tests.helpers.sending_factories import bind, make_sending_campaign
from tests.helpers.web import csrf_from


def _delete_in_panel(admin_client, service):
    token = csrf_from(admin_client.get("/admin/servicos/").get_data(as_text=True))
    return admin_client.post("/admin/servicos/delete/", data={"id": str(service.id), "csrf_token": token},
                             follow_redirects=True)


def _exists(service_id):
    db.session.expire_all()
    return db.session.get(EmailService, service_id) is not None


def test_the_panel_refuses_to_delete_a_bound_service_and_says_why(claro_on_2, admin_client, services):
    page = _delete_in_panel(admin_client, services["SERVICO_2"]).get_data(as_text=True)

    assert _exists(services["SERVICO_2"].id)
    assert "não pode ser excluído: está em uso pela operação Claro" in page and "Desative-o" in page


def test_the_api_refuses_to_delete_a_service_with_history(services, smtp_server, admin_headers, client):
    bind("CLARO", services["SERVICO_3"])
    sending.send_batch(make_sending_campaign(clients=1).id)
    bind("CLARO", services["SERVICO_2"])  # no longer bound, but it sent

    answer = client.delete(f"/api/v1/services/{services['SERVICO_3'].id}", headers=admin_headers)

    assert answer.status_code == 409
    error = answer.get_json()["error"]
    assert error["code"] == "service_in_use" and "tem histórico (envios, uso mensal" in error["message"]
    assert _exists(services["SERVICO_3"].id)


def test_a_service_without_a_past_can_be_deleted(seeded, admin_client):
    spare = make_service("SERVICO_9")

    _delete_in_panel(admin_client, spare)

    assert not _exists(spare.id)


def test_deactivating_takes_the_service_out_of_use(claro_on_2, admin_client, services, smtp_server):
    token = csrf_from(admin_client.get("/admin/servicos/").get_data(as_text=True))
    admin_client.post(f"/admin/servicos/desativar/{services['SERVICO_2'].id}", data={"csrf_token": token})
    campaign = make_sending_campaign(clients=1)

    sending.send_batch(campaign.id)

    assert [m.user for m in smtp_server.received] == ["servico_3"]


def test_history_keeps_the_name_the_service_had(claro_on_2, services, smtp_server, operator_client):
    smtp_server.set_quota("servico_2", 0)
    sending.send_batch(make_sending_campaign(clients=1).id)
    services["SERVICO_2"].name = "SERVICO_RENOMEADO"
    db.session.commit()

    (rotation,) = db.session.execute(db.select(Rotation)).scalars().all()
    page = operator_client.get("/admin/historico-de-envio/").get_data(as_text=True)

    assert (rotation.from_service_name, rotation.to_service_name) == ("SERVICO_2", "SERVICO_3")
    assert "SERVICO_2" in page


def test_an_operation_without_a_service_is_shown_as_such(services, admin_client):
    bind("NET", None)

    html = admin_client.get("/admin/servico-de-envio/").get_data(as_text=True)

    assert "sem serviço" in html and "Nenhum serviço configurado" in html
    assert '<option value="" selected>— nenhum serviço —</option>' in html
