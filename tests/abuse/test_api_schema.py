"""Schemathesis against /api/v1/openapi.json, in-process through the Flask app (WSGI), as an admin.

Every documented operation is called with generated valid and invalid input; every
answer must be no 500, a documented status code, a documented content type and a
body that matches the documented schema.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.helpers.factories import make_service
from tests.helpers.sending_factories import bind, make_sending_campaign

MAX_EXAMPLES = 25
# Operations whose schema-valid input can still be refused for reasons no schema can state: a
# moment already past, a file that is not a spreadsheet of CPFs, a service name that does not exist. Their 422 is correct; every
# other check (no 500, documented codes, bodies and types) still applies to them.
BUSINESS_RULES = {("POST", "/campaigns"), ("POST", "/campaigns/{campaign_id}/reschedule"),
                  ("PUT", "/bindings/{operation_code}"),  # the named service must exist
                  # allowed senders must pass email-validator (no special-use domains such as .test,
                  # no IP literals), stricter than the schema's `format: email`
                  ("POST", "/services"), ("PATCH", "/services/{service_id}"),
                  ("POST", "/suppressions")}  # the same email-validator rule for the blocked address


def _document() -> dict:
    """The same document /api/v1/openapi.json serves (a test below checks they are equal)."""
    from app import api  # noqa: F401  (importing the package registers every route)
    from app.api import openapi

    return openapi.document()


# Loaded at collection (schemathesis' fixture-based loader does not run on pytest 9); the
# requests still go through each test's own app, database and Redis (`app=`).
schema = schemathesis.openapi.from_dict(_document())


@pytest.fixture
def rows(seeded):
    """Some rows, so ids 1 and 2 exist and generated requests reach past the 404s."""
    service = make_service("SERVICO_2")
    make_service("SERVICO_3")
    bind("CLARO", service)
    make_sending_campaign("CLARO", clients=2)


def test_the_served_document_is_the_one_tested(client, admin_headers):
    assert client.get("/api/v1/openapi.json").get_json() == _document()


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_api_answers_within_its_document(case, app, rows, admin_headers):
    case.operation.schema.app = app  # this test's app: its database and Redis (also for the checks' own probes)
    # Not about answers but about leniency, and unfit here: the API ignores unknown query parameters
    # (as HTTP APIs customarily do), and this harness always sends the admin's token, which defeats
    # schemathesis' "Authorization missing" mutation. Invalid *values* are still covered: every
    # answer must be documented, and a 500 fails.
    excluded = [negative_data_rejection]
    if (case.method, case.path) in BUSINESS_RULES:
        excluded.append(positive_data_acceptance)
    case.call_and_validate(headers=admin_headers, excluded_checks=excluded, app=app)


def test_an_id_past_the_column_range_is_not_found_not_a_500(seeded, client, admin_client, admin_headers):
    for big in (2**31, 2**63, 10**30):
        answer = client.get(f"/api/v1/campaigns/{big}", headers=admin_headers)
        assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "not_found"
        assert client.delete(f"/api/v1/services/{big}", headers=admin_headers).status_code == 404
        assert admin_client.get(f"/admin/campanhas/{big}").status_code == 404


def test_a_405_says_which_methods_are_allowed(client, admin_headers):
    answer = client.delete("/api/v1/campaigns", headers=admin_headers)
    assert answer.status_code == 405 and {"GET", "POST"} <= set(answer.headers["Allow"].split(", "))


def test_a_huge_page_number_is_refused_not_a_500(seeded, client, admin_headers):
    for page in ("2641755082848047988736", "²"):
        answer = client.get(f"/api/v1/campaigns?page={page}", headers=admin_headers)
        assert answer.status_code == 422 and "page" in answer.get_json()["error"]["details"]
