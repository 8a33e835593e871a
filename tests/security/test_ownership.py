"""One rule for every state-changing route of a campaign: its creator or an admin (`can_manage`).

The walk is over the app's own URL map: a route added later (a new action on the details page,
a new API verb) is walked too, without editing this test.
"""
from datetime import timedelta

import pytest

from app.models.campaigns import COMPLETED, SCHEDULED
from app.timeutil import now_utc, to_local
from tests.helpers.factories import make_campaign, make_user, token_for
from tests.helpers.ownership import campaign_state
from tests.helpers.report_factories import campaign_with_every_outcome
from tests.helpers.web import client_for, page_token, state_changing_campaign_routes

# The state in which each action would work for its owner; any other route gets a scheduled campaign.
READY_STATUS = {"campaigns.retry_failed": COMPLETED}


def _owned_campaign(endpoint: str, owner):
    if READY_STATUS.get(endpoint) == COMPLETED:
        return campaign_with_every_outcome(status=COMPLETED, created_by=owner)
    return make_campaign("NET", status=SCHEDULED, created_by_id=owner.id)


def _request(app, rule, campaign_id, stranger):
    path = rule.rule.replace("<int:campaign_id>", str(campaign_id))
    method = sorted(set(rule.methods) - {"GET", "HEAD", "OPTIONS"})[0]
    moment = now_utc() + timedelta(days=2)
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {token_for(stranger)}"}
        return app.test_client().open(path, method=method, headers=headers,
                                      json={"scheduled_at": moment.isoformat()})
    browser = client_for(app, stranger)
    data = {"csrf_token": page_token(browser), "scheduled_at": to_local(moment).strftime("%d/%m/%Y %H:%M")}
    return browser.open(path, method=method, data=data)


def test_the_walk_finds_the_known_routes(seeded):
    from flask import current_app

    endpoints = {rule.endpoint for rule in state_changing_campaign_routes(current_app)}
    assert {"campaigns.cancel", "campaigns.retry_failed", "campaign_new.cancel", "campaign_new.reschedule",
            "api.cancel_campaign", "api.reschedule_campaign"} <= endpoints


def test_a_second_operator_is_refused_everywhere_and_nothing_changes(seeded, operator_user):
    from flask import current_app

    stranger = make_user("outro.operador@preventivo.test", "operator")
    outcomes = {}
    for rule in state_changing_campaign_routes(current_app):
        campaign = _owned_campaign(rule.endpoint, operator_user)
        before = campaign_state(campaign.id)
        response = _request(current_app, rule, campaign.id, stranger)
        outcomes[rule.rule] = (response.status_code, campaign_state(campaign.id) == before)
    assert outcomes == {rule: (403, True) for rule in outcomes}


@pytest.mark.parametrize("endpoint", ["campaigns.cancel", "campaigns.retry_failed"])
def test_the_owner_may_act_from_the_details_page(seeded, operator_user, endpoint):
    from flask import current_app

    (rule,) = [r for r in state_changing_campaign_routes(current_app) if r.endpoint == endpoint]
    campaign = _owned_campaign(endpoint, operator_user)
    before = campaign_state(campaign.id)
    response = _request(current_app, rule, campaign.id, operator_user)
    assert response.status_code == 302 and campaign_state(campaign.id) != before


def test_an_admin_may_cancel_anyones_campaign(seeded, operator_user, admin_user):
    from flask import current_app

    (rule,) = [r for r in state_changing_campaign_routes(current_app) if r.endpoint == "campaigns.cancel"]
    campaign = _owned_campaign("campaigns.cancel", operator_user)
    _request(current_app, rule, campaign.id, admin_user)
    assert campaign_state(campaign.id)["status"] == "canceled"


def test_the_details_page_offers_no_action_to_a_second_operator(seeded, operator_user):
    from flask import current_app

    stranger = make_user("outro.operador@preventivo.test", "operator")
    campaign = _owned_campaign("campaigns.cancel", operator_user)
    html = client_for(current_app, stranger).get(f"/admin/campanhas/{campaign.id}").get_data(as_text=True)
    assert "Cancelar campanha" not in html
