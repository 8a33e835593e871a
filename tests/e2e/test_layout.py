"""The pages at a phone's width (375 px) and a desktop's: the body never scrolls sideways, the menu works."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import assert_fits, go_by_menu, log_in, log_out, screenshot
from tests.helpers.e2e import ADMIN_EMAIL, OPERATOR_EMAIL

pytestmark = pytest.mark.e2e

OPERATOR_PAGES = ["/admin/", "/admin/campanhas/nova/", "/admin/campanhas/", "/admin/campanhas/{id}",
                  "/admin/campanhas/nova/{id}", "/admin/enderecos-bloqueados/"]
ADMIN_PAGES = OPERATOR_PAGES + ["/admin/servico-de-envio/", "/admin/servicos/", "/admin/historico-de-envio/",
                                "/admin/emails-capturados/", "/admin/usuarios/", "/admin/operacoes/",
                                "/admin/tipos-de-campanha/", "/admin/caixa-de-devolucoes/",
                                "/admin/caixa-de-devolucoes/new/"]


def _check_all(page, paths, campaign_id):
    problems = []
    for path in paths:
        page.goto(path.format(id=campaign_id))
        try:
            assert_fits(page)
        except AssertionError as exc:
            problems.append(str(exc))
    assert not problems, "\n".join(problems)


def test_a_phone_sees_every_page_without_sideways_scrolling_and_uses_the_menu(phone, product, scheduled_campaign):
    page = phone
    page.goto("/login")
    assert_fits(page)
    log_in(page, OPERATOR_EMAIL)
    _check_all(page, OPERATOR_PAGES, scheduled_campaign)
    go_by_menu(page, "Campanha Preventiva", "Listar Campanhas")
    expect(page).to_have_url(f"{product.url}/admin/campanhas/")
    screenshot(page, "celular-listar-campanhas")
    go_by_menu(page, "Campanha Preventiva", "Cadastrar Campanha")
    screenshot(page, "celular-cadastrar-campanha", full_page=True)
    log_out(page)

    log_in(page, ADMIN_EMAIL)
    _check_all(page, ADMIN_PAGES, scheduled_campaign)


def test_a_desktop_sees_every_admin_page_without_sideways_scrolling(desktop, product, scheduled_campaign):
    log_in(desktop, ADMIN_EMAIL)
    _check_all(desktop, ADMIN_PAGES, scheduled_campaign)
