"""The operator's day: template, a NET campaign starting now, its progress, details, export, log out."""
from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.helpers.browser import assert_fits, go_by_menu, log_in, log_out, no_english, screenshot
from tests.helpers.e2e import OPERATOR_EMAIL, sandbox_cpfs, write_csv

pytestmark = pytest.mark.e2e
ZONE = ZoneInfo("America/Sao_Paulo")
COMPLETION_TIMEOUT_MS = 90_000


def test_operator_creates_a_campaign_and_follows_it_to_the_end(desktop, product, tmp_path):
    page = desktop
    page.goto("/login")
    screenshot(page, "login")
    log_in(page, OPERATOR_EMAIL)
    expect(page.locator("h1, h2").first).to_be_visible()
    screenshot(page, "dashboard")
    no_english(page)

    go_by_menu(page, "Campanha Preventiva", "Cadastrar Campanha")
    expect(page.get_by_role("heading", name="Cadastrar Campanha")).to_have_count(1)
    no_english(page)
    with page.expect_download() as download:
        page.locator("#template-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    template = load_workbook(saved, read_only=True)
    header = [c.value for c in next(template.active.iter_rows(max_row=1))]
    assert [str(h).upper() for h in header[:2]] == ["CPF", "EMAIL"]

    today = datetime.now(ZONE).date()
    good, unknown = sandbox_cpfs(today, with_boletos=5, without_agreement=1)
    rows = [(cpf, f"cliente{i}@exemplo.com.br") for i, cpf in enumerate(good)]
    rows.append((good[0], "financeiro@exemplo.com.br"))  # a second address for the first client
    rows.append((unknown[0], "sem.acordo@exemplo.com.br"))
    rows.append(("123.456.789-00", "cpf.invalido@exemplo.com.br"))  # bad check digits
    rows.append(("52998224725", "isto-nao-e-email"))
    sheet = write_csv(tmp_path / "clientes_net.csv", rows)

    page.select_option("#operation", "NET")
    expect(page.locator("#campaign_type option:not([hidden])")).to_have_count(2)  # "Selecione…" + NET FASE 1
    page.select_option("#campaign_type", label="NET FASE 1")
    page.fill("#scheduled_at", datetime.now(ZONE).strftime("%Y-%m-%dT%H:%M"))
    page.set_input_files("#file", str(sheet))
    expect(page.locator(".custom-file-label")).to_have_text("clientes_net.csv")
    screenshot(page, "cadastrar-campanha")
    page.get_by_role("button", name="Cadastrar").click()

    summary = page.locator("#import-summary")
    expect(summary).to_contain_text("6 clientes")
    expect(summary).to_contain_text("7 e-mails")
    expect(summary).to_contain_text("2 linhas recusadas")
    expect(page.locator("table.refused-lines tbody tr")).to_have_count(2)
    screenshot(page, "resultado-importacao", full_page=True)
    no_english(page)
    campaign_id = page.locator("h1").first.inner_text().split("#")[1].split()[0]

    go_by_menu(page, "Campanha Preventiva", "Listar Campanhas")
    row = page.locator(f'#campaign-table tr[data-campaign-id="{campaign_id}"]')
    expect(row).to_have_attribute("data-running", "1")  # still collecting: the sandbox answers slowly
    total_before = int(page.locator('[data-total="emails_sent"]').inner_text().replace(".", ""))
    row_before = int(row.locator('[data-field="emails_sent"]').inner_text())
    page.evaluate("window.__stillTheSamePage = true")
    expect(row.locator("[data-badge]")).to_have_text("Concluída", timeout=COMPLETION_TIMEOUT_MS)
    assert page.evaluate("window.__stillTheSamePage === true"), "the list reloaded instead of polling"
    sent = row.locator('[data-field="emails_sent"]').inner_text()
    assert int(sent) >= 6
    # The period's totals follow the polled rows too.
    expect(page.locator('[data-total="emails_sent"]')).to_have_text(str(total_before + int(sent) - row_before))
    screenshot(page, "listar-campanhas")
    assert_fits(page)
    no_english(page)

    row.get_by_role("link", name="Ver Detalhes").click()
    expect(page.locator("#campaign-details [data-badge]")).to_have_text("Concluída")
    expect(page.locator('#campaign-details [data-field="records"]')).to_have_text("6")
    screenshot(page, "detalhes-campanha", full_page=True)
    no_english(page)

    page.select_option("#resultado", label="Sem acordo")
    page.wait_for_url("**resultado=no_agreement**")
    clients = page.locator("#clients-table tbody tr")
    expect(clients).to_have_count(1)
    expect(clients.first).to_contain_text("Sem acordo")
    expect(clients.first.locator("[data-cpf]")).to_contain_text("***")  # masked for an operator

    with page.expect_download() as download:
        page.get_by_role("link", name="Exportar .csv").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    exported = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(exported) == 2, exported  # header + the one client without agreement
    assert "Sem acordo" in exported[1] and unknown[0] not in text  # the operator's export masks CPFs

    log_out(page)
    page.goto("/admin/campanhas/")
    expect(page.get_by_role("button", name="Entrar")).to_be_visible()
