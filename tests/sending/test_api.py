"""The sending side of the JSON API: deliveries, rotations, services' usage."""
from app.campaigns import sending
from app.extensions import db
from tests.helpers.sending_factories import make_sending_campaign


def test_deliveries_are_listed_with_their_outcome_and_filtered_by_status(claro_on_2, smtp_server, operator_headers, client):
    campaign = make_sending_campaign(clients=3)
    bad = f"cliente{campaign.id}-2-0@exemplo.com.br"
    smtp_server.reply("rcpt", "550 5.1.1 Mailbox unavailable", rcpt=bad)
    sending.send_batch(campaign.id)

    sent = client.get(f"/api/v1/campaigns/{campaign.id}/deliveries?status=sent", headers=operator_headers).get_json()
    failed = client.get(f"/api/v1/campaigns/{campaign.id}/deliveries?status=failed", headers=operator_headers).get_json()

    assert sent["total"] == 2 and {i["service"] for i in sent["items"]} == {"SERVICO_2"}
    assert all(i["message_id"] and i["sent_at"] for i in sent["items"])
    (item,) = failed["items"]
    assert (item["email"], item["status"], item["attempts"]) == (bad, "failed", 1) and "5.1.1" in item["last_error"]


def test_deliveries_refuse_an_unknown_status_with_a_json_error(claro_on_2, operator_headers, client):
    campaign = make_sending_campaign(clients=1)

    response = client.get(f"/api/v1/campaigns/{campaign.id}/deliveries?status=lost", headers=operator_headers)

    assert response.status_code == 400 and response.get_json()["error"]["details"] == {"status": "lost"}


def test_deliveries_paginate(claro_on_2, operator_headers, client):
    campaign = make_sending_campaign(clients=5)

    page = client.get(f"/api/v1/campaigns/{campaign.id}/deliveries?per_page=2&page=3", headers=operator_headers).get_json()

    assert (page["total"], len(page["items"]), page["page"]) == (5, 1, 3)


def test_rotations_are_listed_newest_first(claro_on_2, smtp_server, operator_headers, client):
    smtp_server.set_quota("servico_2", 1)
    sending.send_batch(make_sending_campaign(clients=2).id)

    (rotation,) = client.get("/api/v1/rotations", headers=operator_headers).get_json()

    assert (rotation["operation"], rotation["from_service"], rotation["to_service"], rotation["kind"], rotation["user"]) == \
        ("CLARO", "SERVICO_2", "SERVICO_3", "automatic", None)


def test_services_show_this_months_usage_and_broken_state(claro_on_2, smtp_server, admin_headers, client, services):
    services["SERVICO_2"].monthly_quota = 2
    db.session.commit()
    sending.send_batch(make_sending_campaign(clients=3).id)

    body = {s["name"]: s for s in client.get("/api/v1/services", headers=admin_headers).get_json()}

    assert {k: body["SERVICO_2"]["usage"][k] for k in ("sent", "quota", "exhausted")} == {"sent": 2, "quota": 2, "exhausted": True}
    assert body["SERVICO_3"]["usage"]["sent"] == 1 and body["SERVICO_3"]["broken"] is False


def test_the_openapi_document_describes_usage_and_the_new_routes(client):
    doc = client.get("/api/v1/openapi.json").get_json()

    assert "usage" in doc["components"]["schemas"]["Service"]["properties"]
    assert "/campaigns/{campaign_id}/deliveries" in doc["paths"] and "/rotations" in doc["paths"]


def test_changing_a_broken_services_port_through_the_api_clears_the_defect(services, admin_headers, client):
    from datetime import datetime, timezone

    from app.extensions import db

    service = services["SERVICO_2"]
    service.broken_at, service.broken_reason = datetime.now(timezone.utc), "conexão: certificate verify failed"
    db.session.commit()

    unchanged = client.patch(f"/api/v1/services/{service.id}", headers=admin_headers, json={"monthly_quota": 5000})
    changed = client.patch(f"/api/v1/services/{service.id}", headers=admin_headers, json={"port": 465, "security": "ssl"})

    assert unchanged.get_json()["broken"] is True and changed.get_json()["broken"] is False
