"""The admin's day: a new SMTP service, a manual binding change, a tiny quota and the rotation it causes."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import assert_fits, go_by_menu, log_in, no_english, screenshot
from tests.helpers.e2e import ADMIN_EMAIL, sandbox_cpfs, write_csv

pytestmark = pytest.mark.e2e
ZONE = ZoneInfo("America/Sao_Paulo")
CAMPAIGN_TIMEOUT_MS = 90_000


def _edit_service(page, name: str) -> None:
    go_by_menu(page, "Campanha Preventiva", "Cadastro Serviços")
    row = page.locator("table tr", has=page.get_by_text(name, exact=True))
    row.locator('a[title*="Editar"], a[href*="/edit/"]').first.click()
    expect(page.locator("#monthly_quota")).to_be_visible()


def test_admin_adds_a_service_rebinds_net_and_sees_the_rotation(desktop, product, tmp_path):
    page = desktop
    log_in(page, ADMIN_EMAIL)

    # A new SMTP service (the local mail catcher accepts any login).
    go_by_menu(page, "Campanha Preventiva", "Cadastro Serviços")
    screenshot(page, "cadastro-servicos")
    no_english(page)
    page.get_by_role("link", name="Criar").first.click()
    page.fill("#name", "SERVICO_7")
    page.fill("#host", "127.0.0.1")
    page.fill("#port", str(product.ports["mail"]))
    page.select_option("#security", "none")
    page.fill("#username", "servico_7")
    page.fill("#password", "senha-do-servico-7")
    page.fill("#monthly_quota", "5000")
    page.fill("#rotation_order", "7")
    page.get_by_role("button", name="Salvar", exact=True).click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("table").get_by_text("SERVICO_7", exact=True)).to_be_visible()
    assert "senha-do-servico-7" not in page.content()

    # NET moves from SERVICO_2 to SERVICO_3 by hand: a confirmation page, then the flash and the email.
    go_by_menu(page, "Campanha Preventiva", "Alterar Serviço de Envio")
    page.select_option('select[aria-label="Serviço de envio de NET"]', label="SERVICO_3")
    page.locator("tr", has=page.locator('select[aria-label="Serviço de envio de NET"]')).get_by_role(
        "button", name="Atualizar").click()
    expect(page.get_by_role("heading", name="Confirmar alteração do serviço de envio")).to_be_visible()
    page.fill("#reason", "Teste de ponta a ponta")
    page.get_by_role("button", name="Confirmar alteração").click()
    expect(page.locator(".alert-success")).to_contain_text("alterado para SERVICO_3")
    expect(page.locator('select[aria-label="Serviço de envio de NET"] option:checked')).to_contain_text("SERVICO_3")
    screenshot(page, "alterar-servico-de-envio")
    no_english(page)

    # A quota of one message on SERVICO_3: the second message of the next campaign rotates NET.
    _edit_service(page, "SERVICO_3")
    page.fill("#monthly_quota", "1")
    page.get_by_role("button", name="Salvar", exact=True).click()
    expect(page.locator(".alert-success")).to_be_visible()

    good, _ = sandbox_cpfs(datetime.now(ZONE).date(), with_boletos=3, without_agreement=0)
    sheet = write_csv(tmp_path / "rodizio.csv", [(cpf, f"rodizio{i}@exemplo.com.br") for i, cpf in enumerate(good)])
    go_by_menu(page, "Campanha Preventiva", "Cadastrar Campanha")
    page.select_option("#operation", "NET")
    page.select_option("#campaign_type", label="NET FASE 1")
    page.fill("#scheduled_at", datetime.now(ZONE).strftime("%Y-%m-%dT%H:%M"))
    page.set_input_files("#file", str(sheet))
    page.get_by_role("button", name="Cadastrar").click()
    expect(page.locator("#import-summary")).to_contain_text("3 clientes")
    page.locator("#follow-campaign").click()
    expect(page.locator("#campaign-details [data-badge]")).to_have_text("Concluída", timeout=CAMPAIGN_TIMEOUT_MS)
    page.reload()
    expect(page.locator("#rotations-table")).to_contain_text("SERVICO_3")
    expect(page.locator("#rotations-table")).to_contain_text("SERVICO_4")

    go_by_menu(page, "Campanha Preventiva", "Histórico de Envio")
    first = page.locator("table").first.locator("tbody tr").first
    expect(first).to_contain_text("SERVICO_3")
    expect(first).to_contain_text("SERVICO_4")
    expect(first).to_contain_text("Automática")
    screenshot(page, "historico-de-envio")
    no_english(page)
    assert_fits(page)

    go_by_menu(page, "Configuração", "Emails capturados")
    expect(page.locator("table").get_by_text("Limite de Envios Esgotado!").first).to_be_visible()
    expect(page.locator("table").get_by_text("Serviço de envio alterado").first).to_be_visible()  # the confirmation
    expect(page.locator("table").get_by_text("alertas@preventivo.e2e").first).to_be_visible()
    screenshot(page, "emails-capturados")
    no_english(page)


def test_an_operator_cannot_open_the_services_page_by_url(desktop, product):
    from tests.helpers.e2e import OPERATOR_EMAIL

    log_in(desktop, OPERATOR_EMAIL)
    response = desktop.goto("/admin/servicos/")
    assert response.status == 403
    expect(desktop.locator("body")).to_contain_text("Você não tem permissão")
    expect(desktop.locator("body")).not_to_contain_text("SERVICO_2")
    desktop.get_by_role("link", name="Voltar ao início").click()
    expect(desktop.locator("nav.navbar")).to_contain_text("Campanha Preventiva")
    expect(desktop.locator("nav.navbar")).not_to_contain_text("Cadastro Serviços")
