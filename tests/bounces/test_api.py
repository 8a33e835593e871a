"""The suppression list and the bounce counters in the API: operators read, admins change, JSON errors."""
from __future__ import annotations

from app.bounces import suppression
from app.campaigns import sending
from app.extensions import db
from app.models import AuditEvent, Suppression
from tests.helpers.sending_factories import make_sending_campaign

URL = "/api/v1/suppressions"


def _block(*emails: str) -> None:
    for email in emails:
        suppression.suppress(email, "teste")
    db.session.commit()


def test_operators_list_and_search_the_suppressions(client, operator_headers):
    _block("fulano@exemplo.com.br", "beltrano@exemplo.com.br")

    page = client.get(f"{URL}?email=FULANO&page=1", headers=operator_headers).get_json()

    assert (page["total"], [i["email"] for i in page["items"]]) == (1, ["fulano@exemplo.com.br"])
    assert page["items"][0]["source"] == "manual"


def test_an_admin_blocks_an_address_lower_case_and_audited(client, admin_headers):
    response = client.post(URL, json={"email": "Fulano@Exemplo.com.br", "reason": "pediu"}, headers=admin_headers)

    assert (response.status_code, response.get_json()["email"]) == (201, "fulano@exemplo.com.br")
    assert db.session.execute(db.select(AuditEvent.action)).scalars().all() == ["suppression.add"]


def test_blocking_twice_is_a_conflict(client, admin_headers):
    _block("fulano@exemplo.com.br")

    response = client.post(URL, json={"email": "fulano@exemplo.com.br"}, headers=admin_headers)

    assert (response.status_code, response.get_json()["error"]["code"]) == (409, "already_suppressed")


def test_an_invalid_address_is_a_422_with_the_field(client, admin_headers):
    response = client.post(URL, json={"email": "nao-e-email", "extra": 1}, headers=admin_headers)

    assert response.status_code == 422
    assert set(response.get_json()["error"]["details"]) == {"email", "extra"}


def test_an_admin_unblocks_an_address(client, admin_headers):
    _block("fulano@exemplo.com.br")

    gone = client.delete(f"{URL}/Fulano@exemplo.com.br", headers=admin_headers)
    again = client.delete(f"{URL}/fulano@exemplo.com.br", headers=admin_headers)

    assert (gone.status_code, again.status_code, again.get_json()["error"]["code"]) == (204, 404, "not_found")
    assert db.session.query(Suppression).count() == 0


def test_operators_cannot_change_the_list(client, operator_headers):
    _block("fulano@exemplo.com.br")

    added = client.post(URL, json={"email": "x@exemplo.com.br"}, headers=operator_headers)
    removed = client.delete(f"{URL}/fulano@exemplo.com.br", headers=operator_headers)

    assert (added.status_code, removed.status_code) == (403, 403)
    assert db.session.query(Suppression).count() == 1


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert {"get", "post"} <= set(paths["/suppressions"]) and "delete" in paths["/suppressions/{email}"]


def test_campaign_counters_and_the_delivery_filter_show_suppressed(claro_on_2, smtp_server, client, operator_headers):
    campaign = make_sending_campaign(clients=2)
    _block(f"cliente{campaign.id}-0-0@exemplo.com.br")
    sending.send_batch(campaign.id)

    data = client.get(f"/api/v1/campaigns/{campaign.id}", headers=operator_headers).get_json()
    blocked = client.get(f"/api/v1/campaigns/{campaign.id}/deliveries?status=suppressed",
                         headers=operator_headers).get_json()

    assert (data["emails_sent"], data["emails_suppressed"], data["emails_bounced"]) == (1, 1, 0)
    assert [i["email"] for i in blocked["items"]] == [f"cliente{campaign.id}-0-0@exemplo.com.br"]
