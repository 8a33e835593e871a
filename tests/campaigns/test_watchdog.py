"""The stall watchdog: no progress for STALL_MINUTES with work left raises one alert, and the stall
clears by itself when the campaign moves again. Workers "stopped" = nobody runs the send jobs."""
from app.campaigns import sending
from app.campaigns.watchdog import watch_campaigns
from app.extensions import db
from app.models import Campaign
from tests.helpers.sending_factories import make_sending_campaign
from tests.helpers.sending_state import alerts


def _campaign(campaign_id):
    db.session.expire_all()
    return db.session.get(Campaign, campaign_id)


def test_a_campaign_without_progress_raises_one_alert_after_stall_minutes(claro_on_2, clock):
    campaign = make_sending_campaign(clients=3)
    assert watch_campaigns() == 0  # the first look records where it stands

    clock.move(minutes=9)
    assert watch_campaigns() == 0
    clock.move(minutes=2)
    assert watch_campaigns() == 1
    clock.move(minutes=30)
    assert watch_campaigns() == 0

    (alert,) = alerts("campaign_stalled")
    assert alert.subject == f"Campanha parada: #{campaign.id}"
    assert "o envio pelo serviço SERVICO_2 (3 envios pendentes)" in alert.body_html
    assert "último erro" in _campaign(campaign.id).stall_reason


def test_the_stall_clears_when_progress_resumes(claro_on_2, smtp_server, clock, services):
    services["SERVICO_2"].max_connections = 1  # one session of one message: the campaign is still sending after it
    db.session.commit()
    campaign = make_sending_campaign(clients=2)
    watch_campaigns()
    clock.move(minutes=11)
    watch_campaigns()
    assert _campaign(campaign.id).stalled_at is not None

    sending.send_batch(campaign.id, batch_size=1, chain=False)  # one of two sent: still sending
    watch_campaigns()

    moving = _campaign(campaign.id)
    assert (moving.status, moving.stalled_at, moving.stall_reason) == ("sending", None, None)


def test_the_campaign_page_shows_the_stall(claro_on_2, admin_client, clock):
    campaign = make_sending_campaign(clients=1)
    watch_campaigns()
    clock.move(minutes=11)
    watch_campaigns()

    html = admin_client.get(f"/admin/campanhas/{campaign.id}").get_data(as_text=True)
    assert "Campanha parada" in html and "envios pendentes" in html


def test_deliveries_waiting_for_their_retry_time_are_not_a_stall(claro_on_2, clock):
    from datetime import timedelta

    from app.models import Delivery
    from app.timeutil import now_utc

    make_sending_campaign(clients=1)
    db.session.execute(db.update(Delivery).values(next_attempt_at=now_utc() + timedelta(hours=1)))
    db.session.commit()
    watch_campaigns()
    clock.move(minutes=11)

    assert watch_campaigns() == 0
