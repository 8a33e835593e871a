"""Which campaigns a live page keeps polling: running ones and those about to start."""
from datetime import timedelta

from app.models.campaigns import COMPLETED, SCHEDULED
from app.timeutil import now_utc
from tests.helpers.report_factories import make_campaign


def test_a_campaign_starting_within_minutes_is_watched_one_next_week_is_not(seeded, operator_client):
    soon = make_campaign(status=SCHEDULED, scheduled_at=now_utc() + timedelta(minutes=2))
    later = make_campaign(status=SCHEDULED, scheduled_at=now_utc() + timedelta(days=7))
    done = make_campaign(status=COMPLETED, scheduled_at=now_utc() - timedelta(minutes=2))
    data = operator_client.get(f"/admin/campanhas/progresso.json?ids={soon.id},{later.id},{done.id}").get_json()
    watch = {c["id"]: c["watch"] for c in data["campaigns"]}
    assert watch == {soon.id: True, later.id: False, done.id: False}


def test_the_details_page_of_a_campaign_about_to_start_polls(seeded, operator_client):
    soon = make_campaign(status=SCHEDULED, scheduled_at=now_utc() + timedelta(minutes=1))
    html = operator_client.get(f"/admin/campanhas/{soon.id}").get_data(as_text=True)
    assert f'data-campaign-id="{soon.id}" data-running="1"' in html
