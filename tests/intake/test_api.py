"""The campaigns API: create, get, list with filters, cancel; errors and the OpenAPI document."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.timeutil import now_utc
from tests.helpers.intake import campaign_count, post_api
from tests.intake.golden_cases import A, B

FILE = f"CPF;EMAIL\n{A};ana@exemplo.com.br\n{B};bia@exemplo.com.br\nx;y\n".encode()


def test_create_returns_201_with_the_campaign_and_the_import_summary(seeded, client, operator_headers):
    response = post_api(client, operator_headers, FILE, "c.csv", scheduled_at="2099-08-05T08:00:00")
    body = response.get_json()
    assert response.status_code == 201
    assert (body["operation"], body["campaign_type"], body["status"], body["records"]) == \
        ("CLARO", "CLARO FASE 1", "scheduled", 2)
    assert body["scheduled_at"] == "2099-08-05T08:00:00-03:00"
    assert body["created_by"] == "operador@preventivo.test"
    assert body["import"] == {"clients": 2, "emails": 2, "warnings": [],
                              "rejected": [{"line": 4, "column": "CPF", "reason": "CPF com caracteres que não são números"}]}


def test_without_scheduled_at_the_campaign_starts_now(seeded, client, operator_headers):
    response = post_api(client, operator_headers, FILE, "c.csv", scheduled_at=None)
    assert response.status_code == 201
    from datetime import datetime

    assert abs(datetime.fromisoformat(response.get_json()["scheduled_at"]) - now_utc()) < timedelta(minutes=1)


@pytest.mark.parametrize("fields, field, message_part", [
    ({"operation": "VIVO"}, "operation", "Operação desconhecida"),
    ({"operation": ""}, "operation", "Escolha a operação"),
    ({"campaign_type": "NET FASE 1"}, "campaign_type", "não pertence à operação CLARO"),
    ({"campaign_type": "CAMPANHA X"}, "campaign_type", "Campanha desconhecida"),
    ({"scheduled_at": "2020-01-01T08:00:00"}, "scheduled_at", "já passou"),
    ({"scheduled_at": "amanhã"}, "scheduled_at", "ISO 8601"),
])
def test_bad_fields_answer_422_with_field_errors_and_create_nothing(seeded, client, operator_headers, fields, field,
                                                                     message_part):
    response = post_api(client, operator_headers, FILE, "c.csv", **fields)
    assert response.status_code == 422
    assert message_part in response.get_json()["error"]["details"][field]
    assert campaign_count() == 0


def test_missing_file_is_a_field_error(seeded, client, operator_headers):
    response = client.post("/api/v1/campaigns", data={"operation": "CLARO", "campaign_type": "CLARO FASE 1"},
                           headers=operator_headers, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "file" in response.get_json()["error"]["details"]


def test_without_token_answers_401(seeded, client):
    assert post_api(client, {}, FILE, "c.csv").status_code == 401


def test_get_returns_the_counters(seeded, client, operator_headers):
    created = post_api(client, operator_headers, FILE, "c.csv").get_json()
    body = client.get(f"/api/v1/campaigns/{created['id']}", headers=operator_headers).get_json()
    for key in ("id", "operation", "campaign_type", "scheduled_at", "status", "records", "agreements",
                "boletos_selected", "emails_sent", "emails_failed", "emails_pending", "created_by", "created_at",
                "started_at", "finished_at"):
        assert key in body
    assert body["id"] == created["id"] and "import" not in body


def test_get_unknown_campaign_is_404(seeded, client, operator_headers):
    assert client.get("/api/v1/campaigns/999", headers=operator_headers).status_code == 404


def _create(client, headers, operation="CLARO", campaign_type="CLARO FASE 1", when="2099-08-05T08:00:00"):
    return post_api(client, headers, FILE, "c.csv", operation=operation, campaign_type=campaign_type,
                    scheduled_at=when).get_json()["id"]


def test_list_filters_by_local_date_operation_and_status(seeded, client, operator_headers):
    first = _create(client, operator_headers, when="2099-08-05T23:30:00")  # 02:30 UTC on the 6th
    second = _create(client, operator_headers, "NET", "NET FASE 1", when="2099-08-06T08:00:00")
    third = _create(client, operator_headers, when="2099-08-07T08:00:00")
    client.post(f"/api/v1/campaigns/{third}/cancel", headers=operator_headers)

    def ids(query):
        response = client.get(f"/api/v1/campaigns?{query}", headers=operator_headers)
        assert response.status_code == 200, response.get_json()
        return [c["id"] for c in response.get_json()["items"]]

    assert ids("date_from=2099-08-05&date_to=2099-08-05") == [first]
    assert ids("operation=net") == [second]
    assert ids("status=canceled") == [third]
    assert ids("status=scheduled") == [second, first]


def test_list_paginates(seeded, client, operator_headers):
    created = [_create(client, operator_headers, when=f"2099-08-0{d}T08:00:00") for d in range(1, 6)]
    body = client.get("/api/v1/campaigns?page=2&per_page=2", headers=operator_headers).get_json()
    assert (body["total"], body["page"], body["per_page"]) == (5, 2, 2)
    assert [c["id"] for c in body["items"]] == [created[2], created[1]]


@pytest.mark.parametrize("query, field", [
    ("date_from=05/08/2099", "date_from"), ("status=running", "status"), ("operation=VIVO", "operation"),
    ("per_page=500", "per_page"), ("page=0", "page"),
])
def test_list_refuses_bad_filters(seeded, client, operator_headers, query, field):
    response = client.get(f"/api/v1/campaigns?{query}", headers=operator_headers)
    assert response.status_code == 422 and field in response.get_json()["error"]["details"]


def test_creator_cancels_a_scheduled_campaign(seeded, client, operator_headers):
    campaign_id = _create(client, operator_headers)
    response = client.post(f"/api/v1/campaigns/{campaign_id}/cancel", headers=operator_headers)
    assert response.status_code == 200 and response.get_json()["status"] == "canceled"


def test_canceling_twice_is_a_conflict(seeded, client, operator_headers):
    campaign_id = _create(client, operator_headers)
    client.post(f"/api/v1/campaigns/{campaign_id}/cancel", headers=operator_headers)
    assert client.post(f"/api/v1/campaigns/{campaign_id}/cancel", headers=operator_headers).status_code == 409


def test_another_operator_cannot_cancel_but_an_admin_can(seeded, client, operator_headers, admin_headers):
    from tests.helpers.factories import make_user, token_for

    other = {"Authorization": f"Bearer {token_for(make_user('outro@preventivo.test', 'operator'))}"}
    campaign_id = _create(client, operator_headers)
    assert client.post(f"/api/v1/campaigns/{campaign_id}/cancel", headers=other).status_code == 403
    assert client.post(f"/api/v1/campaigns/{campaign_id}/cancel", headers=admin_headers).status_code == 200


def test_every_campaign_route_is_in_the_openapi_document(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/campaigns"]) == {"get", "post"}
    assert "get" in paths["/campaigns/{campaign_id}"] and "post" in paths["/campaigns/{campaign_id}/cancel"]
    assert paths["/campaigns"]["post"]["responses"]["201"]["content"]["application/json"]["schema"] == \
        {"$ref": "#/components/schemas/CampaignCreated"}


def test_created_response_has_every_field_the_schema_requires(seeded, client, operator_headers):
    from app.api.openapi import COMPONENTS

    body = post_api(client, operator_headers, FILE, "c.csv").get_json()
    schema = COMPONENTS["schemas"]["Campaign"]
    assert set(schema["required"]) <= set(body)
    assert set(body) - {"import"} <= set(schema["properties"])


def test_creator_changes_the_date_through_the_api(seeded, client, operator_headers):
    campaign_id = _create(client, operator_headers)
    response = client.post(f"/api/v1/campaigns/{campaign_id}/reschedule", json={"scheduled_at": "2099-09-10T14:30:00"},
                           headers=operator_headers)
    assert response.status_code == 200
    assert (response.get_json()["scheduled_at"], response.get_json()["campaign_day"]) == \
        ("2099-09-10T14:30:00-03:00", "2099-09-10")


def test_reschedule_to_the_past_is_refused(seeded, client, operator_headers):
    campaign_id = _create(client, operator_headers)
    response = client.post(f"/api/v1/campaigns/{campaign_id}/reschedule", json={"scheduled_at": "2020-01-01T08:00"},
                           headers=operator_headers)
    assert response.status_code == 422 and "já passou" in response.get_json()["error"]["details"]["scheduled_at"]


def test_a_canceled_campaign_cannot_be_rescheduled(seeded, client, operator_headers):
    campaign_id = _create(client, operator_headers)
    client.post(f"/api/v1/campaigns/{campaign_id}/cancel", headers=operator_headers)
    response = client.post(f"/api/v1/campaigns/{campaign_id}/reschedule", json={"scheduled_at": "2099-09-10T14:30:00"},
                           headers=operator_headers)
    assert response.status_code == 409


def test_a_moment_at_the_ends_of_the_calendar_is_refused_with_a_message(seeded, client, operator_headers):
    # Year 1 UTC is year 0 in São Paulo, which Python cannot hold: this used to answer 500.
    campaign_id = _create(client, operator_headers)
    for moment in ("0001-01-01T00:00:00.0Z", "9999-12-31T23:59:59-03:00"):
        response = client.post(f"/api/v1/campaigns/{campaign_id}/reschedule", json={"scheduled_at": moment},
                               headers=operator_headers)
        assert response.status_code == 422, moment
        assert "fora do intervalo" in response.get_json()["error"]["details"]["scheduled_at"]
