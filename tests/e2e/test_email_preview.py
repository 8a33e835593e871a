"""An admin previews the debtor's email of a campaign type, on a desktop and on a phone."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import assert_fits, log_in, screenshot
from tests.helpers.e2e import ADMIN_EMAIL

pytestmark = pytest.mark.e2e


def _open_preview(page) -> None:
    log_in(page, ADMIN_EMAIL)
    page.goto("/admin/tipos-de-campanha/")
    row = page.locator("table tr", has=page.get_by_text("CLARO FASE 1", exact=True))
    row.get_by_role("link", name="Pré-visualizar").click()
    expect(page.get_by_role("heading", name="Pré-visualização: CLARO FASE 1")).to_be_visible()
    email = page.frame_locator("#preview-html")
    expect(email.get_by_text("Olá, Maria da Conceição dos Santos!")).to_be_visible()
    expect(email.get_by_text("Se já pagou, desconsidere esta mensagem.")).to_be_visible()
    images = email.locator("img")
    expect(images).to_have_count(2)  # the logo and the PIX QR code, both shown (data: URIs)
    for i in range(2):
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")


def test_an_admin_previews_the_email_on_a_desktop(desktop, product):
    _open_preview(desktop)

    expect(desktop.locator("#preview-subject")).to_have_text("Claro: 2 boletos vencem em 05/08 e 05/09/2026")
    expect(desktop.get_by_role("button", name="Enviar teste")).to_be_visible()
    assert_fits(desktop)
    screenshot(desktop, "pre-visualizar-email", full_page=True)


def test_an_admin_previews_the_email_on_a_phone(phone, product):
    _open_preview(phone)

    assert_fits(phone)
    phone.locator("#preview-html").scroll_into_view_if_needed()
    screenshot(phone, "pre-visualizar-email-celular")
