"""Live progress endpoints and the dashboard."""
from datetime import datetime, timedelta, timezone

from app.extensions import db
from app.models import ServiceUsage
from app.models.campaigns import COLLECTING, SCHEDULED, SENDING
from app.reports.dashboard import run_out_day
from app.timeutil import month_key, now_utc
from tests.helpers.factories import make_service
from tests.helpers.report_factories import make_campaign


def test_progress_of_a_running_campaign(seeded, operator_client):
    campaign = make_campaign(status=SENDING, records=100, clients_collected=100, emails_sent=45,
                             emails_failed=5, emails_pending=50)
    data = operator_client.get(f"/admin/campanhas/{campaign.id}/progresso.json").get_json()
    assert (data["status_label"], data["running"], data["percent"]) == ("Enviando", True, 50)
    assert data["counters"]["emails_sent"] == 45


def test_list_progress_follows_the_counters(seeded, operator_client):
    campaign = make_campaign(status=COLLECTING, records=200, clients_collected=50)
    first = operator_client.get(f"/admin/campanhas/progresso.json?ids={campaign.id},x").get_json()
    campaign.clients_collected = 150
    db.session.commit()
    second = operator_client.get(f"/admin/campanhas/progresso.json?ids={campaign.id}").get_json()
    assert [first["campaigns"][0]["percent"], second["campaigns"][0]["percent"]] == [25, 75]


def test_progress_without_a_session_answers_json_401(seeded, client):
    campaign = make_campaign(status=SENDING)
    response = client.get(f"/admin/campanhas/{campaign.id}/progresso.json")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_run_out_day_at_the_current_pace():
    # 10 days into November (São Paulo) with 500 of 1,000 sent: 50 a day, 10 more days.
    now = datetime(2026, 11, 11, 3, 0, tzinfo=timezone.utc)  # 11/11 00:00 local
    from flask import Flask

    app = Flask("t")
    app.config["TIMEZONE"] = "America/Sao_Paulo"
    with app.app_context():
        assert run_out_day(500, 1000, now).isoformat() == "2026-11-21"
        assert run_out_day(100, 1000, now) is None  # 10 a day: not this month


def test_dashboard_shows_today_upcoming_running_and_quota(seeded, operator_client):
    today = make_campaign(now_utc(), status=SENDING, emails_sent=1, emails_pending=1)
    upcoming = make_campaign(now_utc() + timedelta(days=2), status=SCHEDULED)
    service = make_service("SERVICO_2", monthly_quota=2000)
    db.session.add(ServiceUsage(service_id=service.id, month=month_key(), sent=1500))
    db.session.commit()
    html = operator_client.get("/admin/").get_data(as_text=True)
    assert f'data-campaign-id="{today.id}"' in html and f'data-campaign-id="{upcoming.id}"' in html
    assert "SERVICO_2" in html and "1.500 / 2.000" in html and 'aria-valuenow="75"' in html
