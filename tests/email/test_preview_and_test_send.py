"""A campaign type's preview (HTML in a sandboxed iframe, text, sample PDF) and test send: admins only."""
import re
from html import unescape

import pytest

from app.extensions import db
from app.models import AuditEvent, CampaignType, Delivery
from tests.helpers.sending_factories import operation
from tests.helpers.web import csrf_from


def _claro_type():
    return db.session.execute(db.select(CampaignType).filter_by(operation_id=operation("CLARO").id)
                              .order_by(CampaignType.id)).scalars().first()


def _send_test(client, ctype, address):
    page = client.get(f"/admin/tipos-de-campanha/previa/{ctype.id}").get_data(as_text=True)
    return client.post(f"/admin/tipos-de-campanha/previa/{ctype.id}/enviar",
                       data={"csrf_token": csrf_from(page), "email": address}, follow_redirects=True)


def test_the_preview_shows_the_html_in_a_sandboxed_iframe_with_the_images_inline(seeded, admin_client):
    html = admin_client.get(f"/admin/tipos-de-campanha/previa/{_claro_type().id}").get_data(as_text=True)

    iframe = re.search(r'<iframe id="preview-html"[^>]*>', html).group(0)
    assert 'sandbox=""' in iframe
    srcdoc = unescape(re.search(r'srcdoc="([^"]*)"', iframe).group(1))
    assert "Olá, Maria da Conceição dos Santos!" in srcdoc
    assert 'src="data:image/png;base64,' in srcdoc and "cid:" not in srcdoc  # logo and PIX QR, shown by the browser


def test_the_preview_shows_the_subject_and_the_text_part(seeded, admin_client):
    html = admin_client.get(f"/admin/tipos-de-campanha/previa/{_claro_type().id}").get_data(as_text=True)

    assert "Claro: 2 boletos vencem em 05/08 e 05/09/2026" in html
    assert "Linha digitável: 00190.50095 40144.816069 06809.350314 3 37370000000100" in html


def test_the_preview_links_to_a_sample_pdf(seeded, admin_client):
    ctype = _claro_type()
    page = admin_client.get(f"/admin/tipos-de-campanha/previa/{ctype.id}").get_data(as_text=True)
    assert f"/admin/tipos-de-campanha/previa/{ctype.id}/boleto.pdf" in page

    response = admin_client.get(f"/admin/tipos-de-campanha/previa/{ctype.id}/boleto.pdf")

    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")


def test_a_test_send_reaches_the_typed_address_through_the_bound_service(claro_on_2, admin_client, smtp_server):
    page = _send_test(admin_client, _claro_type(), "revisora@exemplo.com.br").get_data(as_text=True)

    assert "Mensagem de teste enviada para revisora@exemplo.com.br pelo serviço SERVICO_2" in page
    (received,) = smtp_server.received
    assert received.rcpt_tos == ["revisora@exemplo.com.br"]
    message = received.parsed()
    assert message["Subject"] == "Claro: 2 boletos vencem em 05/08 e 05/09/2026"
    assert any(p.get_content_type() == "application/pdf" for p in message.iter_attachments())


def test_a_test_send_counts_in_no_campaign_and_is_audited(claro_on_2, admin_client, smtp_server):
    ctype = _claro_type()

    _send_test(admin_client, ctype, "revisora@exemplo.com.br")

    assert db.session.execute(db.select(db.func.count(Delivery.id))).scalar() == 0
    event = db.session.execute(db.select(AuditEvent).filter_by(action="campaign_type.test_send")).scalar_one()
    assert event.target_id == str(ctype.id) and event.details["to"] == "revisora@exemplo.com.br"


def test_a_test_send_to_a_malformed_address_is_refused(claro_on_2, admin_client, smtp_server):
    page = _send_test(admin_client, _claro_type(), "revisora@@exemplo").get_data(as_text=True)

    assert "Endereço de e-mail inválido: revisora@@exemplo" in page
    assert smtp_server.received == []


@pytest.mark.parametrize("suffix", ["", "/boleto.pdf"])
def test_operators_cannot_preview(seeded, operator_client, suffix):
    assert operator_client.get(f"/admin/tipos-de-campanha/previa/{_claro_type().id}{suffix}").status_code == 403


def test_operators_cannot_send_a_test(claro_on_2, operator_client, smtp_server):
    token = csrf_from(operator_client.get("/admin/").get_data(as_text=True))

    response = operator_client.post(f"/admin/tipos-de-campanha/previa/{_claro_type().id}/enviar",
                                    data={"csrf_token": token, "email": "revisora@exemplo.com.br"})

    assert response.status_code == 403 and smtp_server.received == []
