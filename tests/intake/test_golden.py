"""Every golden file gives the same result through the API and through the form,
and that result is the one written in golden/<name>.json."""
from __future__ import annotations

import html
import json
import os
from pathlib import Path

import pytest

from tests.helpers.intake import campaign_count, campaign_id_from_redirect, post_api, post_form, stored_campaign
from tests.intake.golden_cases import CASES

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _expected(name: str, actual: dict) -> dict:
    path = GOLDEN / f"{name}.json"
    if UPDATE:
        path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return json.loads(path.read_text(encoding="utf-8"))


def _api_outcome(client, headers, name: str) -> dict:
    filename, build = CASES[name]
    response = post_api(client, headers, build(), filename)
    body = response.get_json()
    if response.status_code == 201:
        return {"outcome": "created", "import": body["import"], "stored": stored_campaign(body["id"])}
    assert response.status_code == 422, body
    return {"outcome": "refused", "message": body["error"]["message"], "details": body["error"]["details"]}


@pytest.mark.parametrize("name", sorted(CASES))
def test_api_result_matches_golden_file(seeded, client, operator_headers, name):
    actual = _api_outcome(client, operator_headers, name)
    assert actual == _expected(name, actual)


@pytest.mark.parametrize("name", sorted(CASES))
def test_form_result_matches_golden_file(seeded, operator_client, name):
    expected = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    filename, build = CASES[name]
    response = post_form(operator_client, build(), filename)
    if expected["outcome"] == "created":
        campaign_id = campaign_id_from_redirect(response)
        assert stored_campaign(campaign_id) == expected["stored"]
    else:
        page = html.unescape(response.get_data(as_text=True))
        assert response.status_code == 200
        assert expected["message"] in page
        for issue in expected["details"]["rejected"]:
            assert issue["reason"] in page
        assert campaign_count() == 0
