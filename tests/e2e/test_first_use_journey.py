"""First use, issue 16: reschedule where people look, search by CPF as an operator, the binding page on a
phone, and not one English word on the way. The screenshots are the manual's (docs/manual.md)."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.browser import assert_fits, go_by_menu, log_in, no_english, screenshot
from tests.helpers.e2e import ADMIN_EMAIL, OPERATOR_EMAIL

pytestmark = pytest.mark.e2e
ZONE = ZoneInfo("America/Sao_Paulo")


def _punctuated(cpf: str) -> str:
    return f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"


@pytest.fixture(scope="module")
def claro_campaign(product) -> tuple[int, str]:
    """A CLARO campaign two weeks ahead (it stays Agendada) with CPFs no other journey uses."""
    moment = datetime.now(ZONE).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=14)
    cpfs = [f"{n:09d}" for n in (271_828_182, 314_159_265, 161_803_398)]
    from tests.helpers.e2e import _valid_cpf

    cpfs = [_valid_cpf(n) for n in cpfs]
    rows = "CPF;EMAIL\n" + "".join(f"{cpf};primeiro.uso{i}@exemplo.com.br\n" for i, cpf in enumerate(cpfs))
    campaign = product.create_campaign("CLARO", "CLARO FASE 1", rows, moment.isoformat())
    return campaign["id"], cpfs[1]


def test_an_admin_changes_the_date_from_the_campaigns_details_page(desktop, product, scheduled_campaign):
    page = desktop
    log_in(page, ADMIN_EMAIL)
    go_by_menu(page, "Campanha Preventiva", "Listar Campanhas")
    page.locator(f'#campaign-table tr[data-campaign-id="{scheduled_campaign}"] a').first.click()
    expect(page.locator("#reschedule")).to_be_visible()
    picker = page.locator("#new-scheduled-at")
    assert picker.get_attribute("type") == "datetime-local"
    new_moment = (datetime.now(ZONE) + timedelta(days=10)).replace(hour=14, minute=30)
    picker.fill(new_moment.strftime("%Y-%m-%dT%H:%M"))
    expect(page.locator("#new-scheduled-at-hint")).to_contain_text(new_moment.strftime("Envio em %d/%m/%Y às 14:30"))
    expect(page.locator("#new-scheduled-at-hint")).to_contain_text("um horário mais antigo é recusado")
    screenshot(page, "detalhes-alterar-data")
    no_english(page)
    page.get_by_role("button", name="Alterar data").click()
    expect(page.locator(".alert-success")).to_contain_text(new_moment.strftime("Envio alterado para %d/%m/%Y às 14:30"))
    expect(page.locator("#timeline")).to_contain_text(new_moment.strftime("%d/%m/%Y"))
    expect(page.get_by_role("button", name="Cancelar campanha")).to_be_visible()
    screenshot(page, "detalhes-campanha-agendada", full_page=True)
    no_english(page)


def test_an_operator_finds_a_client_by_cpf_and_sees_it_masked(desktop, product, claro_campaign):
    campaign_id, cpf = claro_campaign
    page = desktop
    log_in(page, OPERATOR_EMAIL)
    go_by_menu(page, "Campanha Preventiva", "Listar Campanhas")
    page.fill("#data_final", (datetime.now(ZONE) + timedelta(days=30)).strftime("%d/%m/%Y"))
    page.fill("#busca", _punctuated(cpf))
    page.locator("#busca").press("Enter")
    expect(page.locator("#campaign-table tbody tr[data-campaign-id]")).to_have_count(1)
    expect(page.locator(f'#campaign-table tr[data-campaign-id="{campaign_id}"]')).to_be_visible()
    screenshot(page, "pesquisa-por-cpf")
    no_english(page)

    page.goto(f"/admin/campanhas/{campaign_id}")
    page.fill("#busca-cliente", cpf)
    page.get_by_role("button", name="Pesquisar").click()
    cells = page.locator("#clients-table td[data-cpf]")
    expect(cells).to_have_count(1)
    expect(cells.first).to_have_text(f"***.{cpf[3:6]}.{cpf[6:9]}-**")
    table = page.locator("#clients-table").inner_text()
    assert cpf not in table and _punctuated(cpf) not in table
    no_english(page)


def _inside(page: Page, locator) -> None:
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (
        f"{locator} is cut off at {width}px: {box}")


def test_the_binding_page_on_a_phone_shows_every_field_and_button_whole(phone, product):
    page = phone
    log_in(page, ADMIN_EMAIL)
    go_by_menu(page, "Campanha Preventiva", "Alterar Serviço de Envio")
    expect(page.get_by_role("heading", name="Alterar Serviço de Envio")).to_be_visible()
    assert_fits(page)
    rows = page.locator("#bindings-table tbody tr")
    assert rows.count() >= 3
    for i in range(rows.count()):
        row = rows.nth(i)
        for part in (row.locator('input[name="sender_email"]'), row.locator('select[name="service_id"]'),
                     row.get_by_role("button", name="Atualizar")):
            part.scroll_into_view_if_needed()
            _inside(page, part)
    screenshot(page, "celular-alterar-servico-de-envio", full_page=True)
    no_english(page)


def test_the_details_chart_is_readable_on_a_phone(phone, product, scheduled_campaign):
    page = phone
    log_in(page, OPERATOR_EMAIL)
    page.goto(f"/admin/campanhas/{scheduled_campaign}")
    chart = page.locator("svg.outcome-chart")
    chart.scroll_into_view_if_needed()
    _inside(page, chart)
    sizes = chart.locator("text").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert sizes and min(sizes) >= 11, f"chart text is {min(sizes)} px tall at 375 px"
    screenshot(page, "celular-detalhes-campanha", full_page=True)


def test_the_new_campaign_form_keeps_the_file_after_an_error(desktop, product, tmp_path):
    page = desktop
    log_in(page, OPERATOR_EMAIL)
    go_by_menu(page, "Campanha Preventiva", "Cadastrar Campanha")
    sheet = tmp_path / "clientes_erro.csv"
    sheet.write_text("CPF;EMAIL\n52998224725;um@exemplo.com.br\n", encoding="utf-8")
    page.set_input_files("#file", str(sheet))
    page.get_by_role("button", name="Cadastrar").click()  # no operation chosen: an error
    expect(page.locator("#held-file")).to_contain_text("clientes_erro.csv")
    expect(page.locator(".custom-file-label")).to_have_text("arquivo mantido: clientes_erro.csv")
    screenshot(page, "cadastrar-campanha-arquivo-mantido")
    no_english(page)
