"""The creditor's token stays with the creditor: only its API's scheme, host and port receive it."""
from app.campaigns import sending
from app.extensions import db
from app.models import Delivery
from app.providers.client import ProviderClient, ProviderSettings
from tests.helpers.http_recorder import PDF, RecordingServer
from tests.helpers.sending_factories import make_sending_campaign, operation


def _attachments(smtp_server):
    return [p.get_content() for m in smtp_server.received for p in m.parsed().iter_attachments()]


def _claro_at(creditor):
    op = operation("CLARO")
    op.provider_url = creditor.url
    op.set_provider_token("token-claro")
    db.session.commit()


def test_an_off_host_pdf_url_is_not_fetched(claro_on_2, smtp_server, creditor, elsewhere):
    _claro_at(creditor)
    sending.send_batch(make_sending_campaign(clients=1, pdf_url=f"{elsewhere.url}/boleto.pdf").id)
    assert elsewhere.seen == [] and creditor.seen == []


def test_an_off_host_pdf_url_gets_a_drawn_boleto(claro_on_2, smtp_server, creditor, elsewhere):
    _claro_at(creditor)
    sending.send_batch(make_sending_campaign(clients=1, pdf_url=f"{elsewhere.url}/boleto.pdf").id)
    (pdf,) = _attachments(smtp_server)
    assert pdf.startswith(b"%PDF") and pdf != PDF


def test_the_reason_is_recorded_on_the_delivery(claro_on_2, smtp_server, creditor, elsewhere):
    _claro_at(creditor)
    campaign = make_sending_campaign(clients=1, pdf_url=f"{elsewhere.url}/boleto.pdf")
    sending.send_batch(campaign.id)
    (delivery,) = db.session.execute(db.select(Delivery).where(Delivery.campaign_id == campaign.id)).scalars()
    assert delivery.status == "sent"
    assert f"({elsewhere.url})" in delivery.note
    assert "não é o da API do credor" in delivery.note


def test_an_absolute_pdf_url_on_the_creditors_own_origin_gets_the_token(claro_on_2, smtp_server, creditor):
    _claro_at(creditor)
    sending.send_batch(make_sending_campaign(clients=1, pdf_url=f"{creditor.url}/v1/boletos/B1.pdf").id)
    assert creditor.seen == [("/v1/boletos/B1.pdf", "Bearer token-claro")]
    assert _attachments(smtp_server) == [PDF]


def test_a_redirect_to_another_host_is_not_followed(claro_on_2, smtp_server, elsewhere):
    def redirect(path):
        return 302, {"Location": f"{elsewhere.url}/stolen.pdf"}, b""

    with RecordingServer(redirect) as creditor:
        _claro_at(creditor)
        campaign = make_sending_campaign(clients=1, pdf_url="/v1/boletos/B1.pdf")
        sending.send_batch(campaign.id)
    assert elsewhere.seen == []
    delivery = db.session.execute(db.select(Delivery).where(Delivery.campaign_id == campaign.id)).scalar_one()
    assert "redirecionou" in delivery.note


def test_the_provider_client_refuses_a_pdf_on_another_origin(app, creditor, elsewhere):
    client = ProviderClient(ProviderSettings(code="CLARO", base_url=creditor.url, token="token-claro"))
    try:
        refused = None
        try:
            client.fetch_pdf(f"{elsewhere.url}/boleto.pdf")
        except ValueError as exc:
            refused = exc
    finally:
        client.close()
    assert refused is not None and elsewhere.seen == []


def test_the_provider_client_sends_the_token_to_its_own_origin(app, creditor):
    client = ProviderClient(ProviderSettings(code="CLARO", base_url=creditor.url, token="token-claro"))
    try:
        client.fetch_pdf("/v1/boletos/B1.pdf")
    finally:
        client.close()
    assert creditor.seen == [("/v1/boletos/B1.pdf", "Bearer token-claro")]
