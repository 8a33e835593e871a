"""Campaign details: counters and breakdown equal what happened, clients filter, actions."""

from app.extensions import db
from app.models import AuditEvent, Campaign, CampaignClient, Delivery
from app.models.campaigns import COMPLETED, DELIVERY_FAILED, DELIVERY_PENDING, DELIVERY_SENT, SENDING
from app.reports import outcomes
from tests.helpers.report_factories import campaign_with_every_outcome
from tests.helpers.web import csrf_from


def test_counters_after_a_campaign_with_every_outcome_equal_what_happened(seeded):
    campaign = campaign_with_every_outcome()
    deliveries = db.session.execute(db.select(Delivery.status)).scalars().all()
    assert (campaign.records, campaign.emails_sent, campaign.emails_failed, campaign.emails_pending) == (
        db.session.query(CampaignClient).count(),
        deliveries.count(DELIVERY_SENT), deliveries.count(DELIVERY_FAILED), deliveries.count(DELIVERY_PENDING))
    counts = {b["key"]: b["count"] for b in outcomes.breakdown(campaign)}
    assert counts == {"sent": 2, "failed": 1, "bounced": 0, "suppressed": 0, "send_pending": 1, "no_agreement": 1, "nothing_due": 1,
                      "invalid_boleto": 1, "api_error": 1, "config_error": 1, "pending": 1}


def test_each_bucket_filter_lists_exactly_the_clients_the_breakdown_counts(seeded, admin_client):
    campaign = campaign_with_every_outcome()
    for bucket in outcomes.breakdown(campaign):
        page = admin_client.get(f"/admin/campanhas/{campaign.id}?resultado={bucket['key']}").get_data(as_text=True)
        rows = page.split('id="clients-table"')[1].split("</tbody>")[0].count("data-cpf")
        assert rows == bucket["count"], bucket["key"]


def test_details_page_shows_chart_timeline_and_delivery_reasons(seeded, operator_client):
    campaign = campaign_with_every_outcome()
    html = operator_client.get(f"/admin/campanhas/{campaign.id}").get_data(as_text=True)
    assert "<svg" in html and 'data-bucket="invalid_boleto"' in html
    assert "Linha do tempo" in html and "550 5.1.1 User unknown" in html


def test_retry_failed_puts_deliveries_back_and_reopens_a_completed_campaign(seeded, admin_client):
    campaign = campaign_with_every_outcome(status=COMPLETED)
    token = csrf_from(admin_client.get(f"/admin/campanhas/{campaign.id}").get_data(as_text=True))
    response = admin_client.post(f"/admin/campanhas/{campaign.id}/reenviar-falhas", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign.id)
    retried = db.session.execute(db.select(Delivery).where(Delivery.status == DELIVERY_PENDING)).scalars().all()
    assert (campaign.status, campaign.emails_failed, campaign.emails_pending, len(retried)) == (SENDING, 0, 3, 3)
    assert all(d.attempts == 0 and d.next_attempt_at is None for d in retried)


def test_cancel_needs_the_csrf_token(seeded, operator_client):
    campaign = campaign_with_every_outcome(status=SENDING)
    assert operator_client.post(f"/admin/campanhas/{campaign.id}/cancelar").status_code == 400
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == SENDING


def test_cancel_moves_a_running_campaign_to_canceled(seeded, operator_client, operator_user):
    campaign = campaign_with_every_outcome(status=SENDING, created_by=operator_user)
    token = csrf_from(operator_client.get(f"/admin/campanhas/{campaign.id}").get_data(as_text=True))
    operator_client.post(f"/admin/campanhas/{campaign.id}/cancelar", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "canceled"
    assert db.session.execute(db.select(AuditEvent.action)).scalars().all() == ["campaign.cancel"]


def test_rotations_and_alerts_during_the_campaign_are_listed(seeded, operator_client):
    from datetime import timedelta

    from app.models import Alert, Rotation
    from app.timeutil import now_utc
    from tests.helpers.factories import make_service

    start = now_utc() - timedelta(hours=2)
    campaign = campaign_with_every_outcome(status=SENDING, started_at=start)
    one, two = make_service("SERVICO_2"), make_service("SERVICO_3")
    db.session.add_all([
        Rotation(operation_id=campaign.operation_id, from_service_id=one.id, to_service_id=two.id, kind="automatic",
                 reason="Limite de envios esgotado", created_at=start + timedelta(minutes=30)),
        Rotation(operation_id=campaign.operation_id, from_service_id=two.id, to_service_id=one.id, kind="automatic",
                 reason="Rotação de antes", created_at=start - timedelta(days=1)),
        Alert(kind="quota_exhausted", subject="Limite de Envios Esgotado!", operation_id=campaign.operation_id,
              created_at=start + timedelta(minutes=31), sent_ok=True),
    ])
    db.session.commit()
    html = operator_client.get(f"/admin/campanhas/{campaign.id}").get_data(as_text=True)
    assert "Limite de envios esgotado" in html and "Limite de Envios Esgotado!" in html
    assert "Rotação de antes" not in html
