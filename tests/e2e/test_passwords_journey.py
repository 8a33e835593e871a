"""Passwords as people live them: a forgotten one through the mail catcher, and changing one's own."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import go_by_menu, log_in, log_out, no_english, open_menu_if_collapsed, screenshot
from tests.helpers.e2e import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.e2e
NEW_PASSWORD = "girassol azul na janela"


def _reset_link(page, recipient: str) -> str:
    """The link of the reset e-mail to `recipient`, as an admin reads it in Configuração → Emails capturados."""
    go_by_menu(page, "Configuração", "Emails capturados")
    row = page.locator("table tr", has=page.get_by_text(recipient)).first
    expect(row).to_be_visible()
    row.locator('a[href*="/details/"]').first.click()
    text = page.content().replace("=\r\n", "").replace("=\n", "")  # a quoted-printable body's soft breaks
    match = re.search(r"https?://[^\s\"'<>]+/redefinir-senha/[A-Za-z0-9_.\-]+", text)
    assert match, f"no reset link in the captured message at {page.url}"
    return match.group(0)


def test_a_forgotten_password_through_the_mail_catcher(desktop, second_desktop, product):
    email = "esqueci@preventivo.e2e"
    product.flask("users", "create", email, "--role", "operator", "--password", PASSWORD, "--name", "Esquecida")
    person, admin = desktop, second_desktop

    person.goto("/login")
    person.get_by_role("link", name="Esqueci minha senha").click()
    person.fill("#email", email)
    person.get_by_role("button", name="Enviar o link").click()
    expect(person.locator("#forgot-sent")).to_contain_text("Se este e-mail estiver cadastrado")
    screenshot(person, "esqueci-minha-senha")
    no_english(person)

    log_in(admin, ADMIN_EMAIL)
    link = None
    for _ in range(20):  # the worker sends it within a few seconds
        try:
            link = _reset_link(admin, email)
            break
        except AssertionError:
            admin.wait_for_timeout(500)
    assert link, "the reset e-mail never reached the mail catcher"

    person.goto(link)
    person.fill("#new_password", NEW_PASSWORD)
    person.fill("#confirmation", NEW_PASSWORD)
    person.get_by_role("button", name="Salvar a nova senha").click()
    expect(person.locator(".alert-success")).to_contain_text("Senha criada")
    log_in(person, email, NEW_PASSWORD)

    person.goto(link)  # used once: it works no more
    expect(person.locator("#reset-error")).to_contain_text("inválido, já foi usado ou expirou")


def test_changing_ones_own_password_ends_the_other_session(desktop, second_desktop, product):
    email = "troca@preventivo.e2e"
    product.flask("users", "create", email, "--role", "operator", "--password", PASSWORD, "--name", "Troca")
    here, elsewhere = desktop, second_desktop
    log_in(here, email)
    log_in(elsewhere, email)

    open_menu_if_collapsed(here)
    here.locator("#user-menu").click()
    here.get_by_role("link", name="Alterar minha senha").click()
    here.fill("#current_password", PASSWORD)
    here.fill("#new_password", NEW_PASSWORD)
    here.fill("#confirmation", NEW_PASSWORD)
    screenshot(here, "alterar-minha-senha")
    no_english(here)
    here.get_by_role("button", name="Alterar a senha").click()
    expect(here.locator(".alert-success")).to_contain_text("Senha alterada")

    elsewhere.reload()
    expect(elsewhere.get_by_role("button", name="Entrar")).to_be_visible()  # that session ended
    here.goto("/admin/campanhas/")
    expect(here.locator("#user-menu")).to_be_attached()  # this one goes on
    log_out(here)
    log_in(here, email, NEW_PASSWORD)
