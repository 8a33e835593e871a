"""Emails capturados: a message received by the real mail catcher, shown as the debtor sees it."""
import re
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from app.extensions import db
from app.models import CapturedEmail
from devtools.mailcatcher import make_controller
from tests.helpers.e2e import free_port

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BASE = "/admin/emails-capturados"


@pytest.fixture
def catcher(app):
    port = free_port()
    controller = make_controller(app, port=port)
    controller.start()
    yield port
    controller.stop()


def boleto_message(to="cliente@exemplo.test", subject="Seu boleto vence em breve") -> EmailMessage:
    logo = make_msgid(domain="preventivo.test")
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Claro <cobranca@claro.test>", to, subject
    msg["Reply-To"], msg["Message-ID"] = "atendimento@claro.test", make_msgid(domain="claro.test")
    msg.set_content("Olá, segue o seu boleto.\nLinha digitável: 34191.79001")
    msg.add_alternative(f'<p>Olá, segue o <b>seu boleto</b>.</p><img src="cid:{logo[1:-1]}" alt="logo">',
                        subtype="html")
    msg.get_payload()[1].add_related(PNG, "image", "png", cid=logo)
    msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="boleto-março.pdf")
    return msg


def capture(port, message: EmailMessage) -> CapturedEmail:
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
        smtp.send_message(message)
    db.session.expire_all()
    return db.session.execute(db.select(CapturedEmail).order_by(CapturedEmail.id.desc())).scalars().first()


def test_details_page_carries_no_base64_blob(admin_client, catcher):
    row = capture(catcher, boleto_message())
    page = admin_client.get(f"{BASE}/details/?id={row.id}").get_data(as_text=True)
    assert not re.search(r"[A-Za-z0-9+/]{200,}", page)


def test_details_page_shows_the_headers_that_matter(admin_client, catcher):
    row = capture(catcher, boleto_message())
    page = admin_client.get(f"{BASE}/details/?id={row.id}").get_data(as_text=True)
    for expected in ("cobranca@claro.test", "cliente@exemplo.test", "atendimento@claro.test",
                     "Seu boleto vence em breve", "Responder a"):
        assert expected in page, expected


def test_details_page_shows_the_text_part(admin_client, catcher):
    row = capture(catcher, boleto_message())
    page = admin_client.get(f"{BASE}/details/?id={row.id}").get_data(as_text=True)
    assert "Linha digitável: 34191.79001" in page


def test_details_page_frames_the_html_sandboxed_without_scripts(admin_client, catcher):
    row = capture(catcher, boleto_message())
    page = admin_client.get(f"{BASE}/details/?id={row.id}").get_data(as_text=True)
    frame = re.search(r"<iframe[^>]*>", page).group(0)
    assert 'sandbox=""' in frame and f'src="{BASE}/{row.id}/html"' in frame


def test_details_page_lists_the_attachment(admin_client, catcher):
    row = capture(catcher, boleto_message())
    page = admin_client.get(f"{BASE}/details/?id={row.id}").get_data(as_text=True)
    assert "boleto-março.pdf" in page and "application/pdf" in page


def test_attachment_download_returns_the_exact_bytes(admin_client, catcher):
    row = capture(catcher, boleto_message())
    page = admin_client.get(f"{BASE}/details/?id={row.id}").get_data(as_text=True)
    link = re.search(rf'href="({BASE}/{row.id}/anexos/\d+)"', page).group(1)
    response = admin_client.get(link)
    assert (response.data, response.mimetype) == (PDF, "application/pdf")
    assert "filename*=UTF-8''boleto-mar%C3%A7o.pdf" in response.headers["Content-Disposition"]


def test_html_route_carries_the_sandbox_policy(admin_client, catcher):
    row = capture(catcher, boleto_message())
    response = admin_client.get(f"{BASE}/{row.id}/html")
    policy = response.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert "script" not in policy.replace("script-src 'none'", "")
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_the_rest_of_the_panel_still_refuses_frames(admin_client, catcher):
    row = capture(catcher, boleto_message())
    response = admin_client.get(f"{BASE}/details/?id={row.id}")
    assert response.headers["X-Frame-Options"] == "DENY"


def test_html_route_shows_inline_images_as_data_uris(admin_client, catcher):
    row = capture(catcher, boleto_message())
    html = admin_client.get(f"{BASE}/{row.id}/html").get_data(as_text=True)
    assert 'src="data:image/png;base64,' in html and "cid:" not in html


def test_operators_cannot_read_captured_emails(operator_client, catcher):
    row = capture(catcher, boleto_message())
    assert admin_status(operator_client, f"{BASE}/{row.id}/anexos/0") == 403


def admin_status(client, url):
    return client.get(url).status_code


def test_search_by_recipient(admin_client, catcher):
    capture(catcher, boleto_message(to="maria@exemplo.test", subject="Primeiro aviso"))
    capture(catcher, boleto_message(to="joao@exemplo.test", subject="Segundo aviso"))
    page = admin_client.get(f"{BASE}/?search=maria@").get_data(as_text=True)
    assert "Primeiro aviso" in page and "Segundo aviso" not in page


def test_search_by_subject(admin_client, catcher):
    capture(catcher, boleto_message(to="maria@exemplo.test", subject="Primeiro aviso"))
    capture(catcher, boleto_message(to="joao@exemplo.test", subject="Segundo aviso"))
    page = admin_client.get(f"{BASE}/?search=Segundo").get_data(as_text=True)
    assert "joao@exemplo.test" in page and "maria@exemplo.test" not in page
