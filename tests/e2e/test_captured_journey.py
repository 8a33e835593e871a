"""The mail catcher's rendered detail: a message as the debtor sees it, in the browser."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import go_by_menu, log_in, screenshot
from tests.helpers.e2e import ADMIN_EMAIL

pytestmark = pytest.mark.e2e
SUBJECT = "Seu boleto Claro vence em 7 dias"


def send_boleto_email(port: int) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Claro <cobranca@claro.e2e>", "cliente.jornada@exemplo.e2e", SUBJECT
    msg.set_content("Olá! Segue o seu boleto.")
    msg.add_alternative("<h1>Olá!</h1><p>Segue o <b>seu boleto</b> em anexo.</p>", subtype="html")
    msg.add_attachment(b"%PDF-1.4\n" + b"0" * 60_000 + b"\n%%EOF\n", maintype="application", subtype="pdf",
                       filename="boleto.pdf")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(msg)


def test_a_captured_message_reads_as_the_client_sees_it(desktop, product):
    send_boleto_email(product.ports["mail"])
    page = desktop
    log_in(page, ADMIN_EMAIL)
    go_by_menu(page, "Configuração", "Emails capturados")
    page.fill("input[name=search]", "cliente.jornada@")
    page.keyboard.press("Enter")
    row = page.locator("table tr", has=page.get_by_text(SUBJECT)).first
    expect(row).to_be_visible()
    row.locator('a[href*="/details/"]').first.click()
    expect(page.frame_locator("iframe.captured-html").get_by_text("seu boleto")).to_be_visible()
    expect(page.get_by_role("link", name="boleto.pdf")).to_be_visible()
    expect(page.locator("pre.captured-text")).to_contain_text("Segue o seu boleto.")
    assert page.evaluate("document.documentElement.scrollHeight") < 3000  # not the raw source, 14,000 px tall
    screenshot(page, "email-capturado")
