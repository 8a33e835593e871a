"""The details page offers 'Alterar data' and 'Cancelar campanha' where the lifecycle allows them."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Campaign
from app.models.campaigns import CANCELED, COMPLETED, SCHEDULED, SENDING
from app.timeutil import now_utc
from tests.helpers.report_factories import make_campaign
from tests.helpers.web import csrf_from


def _details(client, campaign_id) -> str:
    return client.get(f"/admin/campanhas/{campaign_id}").get_data(as_text=True)


def _post(client, campaign_id, action, **data):
    token = csrf_from(_details(client, campaign_id))
    return client.post(f"/admin/campanhas/{campaign_id}/{action}", data={"csrf_token": token, **data},
                       follow_redirects=True)


def test_a_scheduled_campaign_offers_a_date_time_picker_with_the_past_rule(seeded, operator_client, operator_user):
    campaign = make_campaign(now_utc() + timedelta(days=2), status=SCHEDULED, created_by=operator_user)
    page = _details(operator_client, campaign.id)
    assert 'type="datetime-local"' in page and "Alterar data" in page and "Cancelar campanha" in page
    assert "Um horário de até 5 minutos atrás (ou o de agora) inicia a campanha na hora" in page


@pytest.mark.parametrize("status", [SENDING, COMPLETED, CANCELED])
def test_a_started_or_finished_campaign_offers_no_date_change(seeded, admin_client, status):
    campaign = make_campaign(status=status)
    assert 'id="reschedule"' not in _details(admin_client, campaign.id)


def test_a_finished_campaign_offers_no_cancel(seeded, admin_client):
    campaign = make_campaign(status=COMPLETED)
    assert "Cancelar campanha" not in _details(admin_client, campaign.id)


def test_another_operators_campaign_offers_no_action(seeded, operator_client, admin_user):
    campaign = make_campaign(now_utc() + timedelta(days=2), status=SCHEDULED, created_by=admin_user)
    page = _details(operator_client, campaign.id)
    assert "Alterar data" not in page and "Cancelar campanha" not in page


def test_the_creator_changes_the_date_from_the_details_page(seeded, operator_client, operator_user):
    campaign = make_campaign(now_utc() + timedelta(days=2), status=SCHEDULED, created_by=operator_user)
    page = _post(operator_client, campaign.id, "alterar-data", scheduled_at="2099-09-10T14:30").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).campaign_day.isoformat() == "2099-09-10"
    assert "Envio alterado para 10/09/2099 às 14:30" in page


def test_a_date_long_past_is_refused_with_the_servers_message(seeded, operator_client, operator_user):
    campaign = make_campaign(now_utc() + timedelta(days=2), status=SCHEDULED, created_by=operator_user)
    page = _post(operator_client, campaign.id, "alterar-data", scheduled_at="2020-01-01T08:00").get_data(as_text=True)
    assert "já passou" in page
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).campaign_day.isoformat() != "2020-01-01"


def test_someone_elses_campaign_cannot_be_rescheduled(seeded, operator_client, admin_user):
    campaign = make_campaign(now_utc() + timedelta(days=2), status=SCHEDULED, created_by=admin_user)
    token = csrf_from(_details(operator_client, campaign.id))
    response = operator_client.post(f"/admin/campanhas/{campaign.id}/alterar-data",
                                    data={"csrf_token": token, "scheduled_at": "2099-09-10T14:30"})
    assert response.status_code == 403
