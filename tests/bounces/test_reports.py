"""Devolvidos and Bloqueados in the reports: the list, the details page, the client buckets and the export."""
from __future__ import annotations

from app.bounces import record, suppression
from app.bounces.detect import detect
from app.campaigns import sending
from app.extensions import db
from app.models import Delivery
from tests.bounces import samples
from tests.helpers.sending_factories import make_sending_campaign


def _campaign_with_one_bounced_and_one_suppressed():
    campaign = make_sending_campaign(clients=3)
    suppression.suppress(f"cliente{campaign.id}-2-0@exemplo.com.br", "manual")
    db.session.commit()
    sending.send_batch(campaign.id)
    first = db.session.execute(db.select(Delivery).order_by(Delivery.id)).scalars().first()
    record.record(detect(samples.dsn(first.email, first.message_id)))
    return campaign


def test_the_details_page_shows_bounced_and_suppressed(claro_on_2, smtp_server, operator_client):
    campaign = _campaign_with_one_bounced_and_one_suppressed()

    html = operator_client.get(f"/admin/campanhas/{campaign.id}").get_data(as_text=True)

    assert 'data-field="emails_bounced">1<' in html and 'data-field="emails_suppressed">1<' in html
    assert "Devolvido" in html and "Bloqueado" in html


def test_a_client_whose_addresses_are_all_suppressed_is_shown_as_blocked(claro_on_2, smtp_server, operator_client):
    campaign = _campaign_with_one_bounced_and_one_suppressed()

    html = operator_client.get(f"/admin/campanhas/{campaign.id}?resultado=suppressed").get_data(as_text=True)

    assert f"cliente{campaign.id}-2-0@exemplo.com.br" in html
    assert f"cliente{campaign.id}-0-0@exemplo.com.br" not in html


def test_the_list_shows_the_counters_and_period_totals(claro_on_2, smtp_server, operator_client):
    campaign = _campaign_with_one_bounced_and_one_suppressed()

    html = operator_client.get("/admin/campanhas/").get_data(as_text=True)

    assert 'data-field="emails_bounced">1<' in html and 'data-total="emails_suppressed">1<' in html
    assert f'data-campaign-id="{campaign.id}"' in html


def test_the_export_names_the_bucket_and_the_delivery_status(claro_on_2, smtp_server, operator_client):
    campaign = _campaign_with_one_bounced_and_one_suppressed()

    text = operator_client.get(f"/admin/campanhas/{campaign.id}/exportar.csv").get_data(as_text=True)

    assert "Devolvido" in text and "Bloqueado" in text and "Endereço bloqueado: manual" in text


def test_the_progress_json_carries_the_new_counters(claro_on_2, smtp_server, operator_client):
    campaign = _campaign_with_one_bounced_and_one_suppressed()

    data = operator_client.get(f"/admin/campanhas/{campaign.id}/progresso.json").get_json()

    assert (data["counters"]["emails_bounced"], data["counters"]["emails_suppressed"]) == (1, 1)
