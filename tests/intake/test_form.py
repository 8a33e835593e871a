""""Cadastrar Campanha": the form, the result page, downloads, cancel and change of date."""
from __future__ import annotations

import html
import io
import re

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import Campaign
from tests.helpers.intake import campaign_count, campaign_id_from_redirect, post_form
from tests.helpers.web import csrf_from
from tests.intake.golden_cases import A, B

FILE = (f"CPF;EMAIL;EMAIL2\n{A};ana@exemplo.com.br;=2+3\n529.982.247-24;x@exemplo.com.br;\n"
        f"{B};@SUM(A1);\n").encode()
URL = "/admin/campanhas/nova/"


def _page(client, url=URL) -> str:
    return html.unescape(client.get(url).get_data(as_text=True))


def test_anonymous_is_sent_to_login(seeded, client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_form_lists_operations_and_their_campaigns_with_tomorrow_8_as_default(seeded, operator_client):
    from app.campaigns.scheduling import default_moment, format_picker

    page = _page(operator_client)
    assert '<option value="CLARO"' in page and 'data-operation="NET"' in page and ">CLARO CPC<" in page
    assert f'value="{format_picker(default_moment())}"' in page
    assert "Data e hora de envio" in page and "modelo.xlsx" in page and "modelo.csv" in page


def test_result_page_shows_counts_refused_lines_with_masked_cpf_and_warnings(seeded, operator_client):
    campaign_id = campaign_id_from_redirect(post_form(operator_client, FILE, "c.csv"))
    page = _page(operator_client, f"{URL}{campaign_id}")
    text = " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert "Campanha cadastrada com 1 cliente e 1 e-mail. 2 linhas recusadas." in text
    assert "***.982.247-**" in page and "529.982.247-24" not in page
    assert "dígitos verificadores" in page and "E-mail inválido, ignorado" in page


def test_refused_lines_download_neutralises_formulas(seeded, operator_client):
    campaign_id = campaign_id_from_redirect(post_form(operator_client, FILE, "c.csv"))
    response = operator_client.get(f"{URL}{campaign_id}/recusadas.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Linha", "Tipo", "Coluna", "Valor", "Motivo")
    values = [r[3] for r in rows[1:]]
    assert "'=2+3" in values and "***.982.247-**" in values
    # Line 4: B's only address "@SUM(A1)" is invalid, so the line is refused with that value.
    assert "'@SUM(A1)" in values
    assert not any(isinstance(v, str) and v[:1] in "=+-@" for row in rows for v in row)


def test_past_date_is_refused_with_a_message_and_nothing_is_stored(seeded, operator_client):
    page = html.unescape(post_form(operator_client, FILE, "c.csv", scheduled_at="01/01/2020 08:00")
                         .get_data(as_text=True))
    assert "já passou" in page and campaign_count() == 0


def test_malformed_date_is_refused(seeded, operator_client):
    page = html.unescape(post_form(operator_client, FILE, "c.csv", scheduled_at="2099-08-05").get_data(as_text=True))
    assert "dd/mm/aaaa HH:MM" in page and campaign_count() == 0


def test_campaign_of_another_operation_is_refused(seeded, operator_client):
    page = html.unescape(post_form(operator_client, FILE, "c.csv", operation="CLARO", campaign_type="NET FASE 1")
                         .get_data(as_text=True))
    assert "não pertence à operação CLARO" in page and campaign_count() == 0


def test_templates_download_with_the_cpf_and_email_columns(seeded, operator_client):
    xlsx = operator_client.get(f"{URL}modelo.xlsx")
    csv = operator_client.get(f"{URL}modelo.csv")
    assert xlsx.headers["Content-Disposition"].startswith("attachment")
    assert list(load_workbook(io.BytesIO(xlsx.data)).worksheets[0].iter_rows(values_only=True))[0] == ("CPF", "EMAIL")
    assert csv.data.startswith(b"\xef\xbb\xbfCPF;EMAIL")


@pytest.mark.parametrize("name", ["modelo.xlsx", "modelo.csv"])
def test_the_template_sent_unchanged_is_refused_as_the_example(seeded, operator_client, name):
    data = operator_client.get(f"{URL}{name}").data
    page = post_form(operator_client, data, name).get_data(as_text=True)
    assert "Esta é a planilha de exemplo" in page
    assert campaign_count() == 0


def _manage(client, campaign_id, action, **data):
    token = csrf_from(client.get(f"{URL}{campaign_id}").get_data(as_text=True))
    return client.post(f"{URL}{campaign_id}/{action}", data={"csrf_token": token, **data})


def test_creator_changes_the_date_of_a_scheduled_campaign(seeded, operator_client):
    campaign_id = campaign_id_from_redirect(post_form(operator_client, FILE, "c.csv"))
    _manage(operator_client, campaign_id, "reagendar", scheduled_at="10/09/2099 14:30")
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign.campaign_day.isoformat() == "2099-09-10"
    assert "10/09/2099 às 14:30" in _page(operator_client, f"{URL}{campaign_id}")


def test_creator_cancels_a_scheduled_campaign(seeded, operator_client):
    campaign_id = campaign_id_from_redirect(post_form(operator_client, FILE, "c.csv"))
    _manage(operator_client, campaign_id, "cancelar")
    db.session.expire_all()
    assert db.session.get(Campaign, campaign_id).status == "canceled"
    assert "Cancelar campanha" not in _page(operator_client, f"{URL}{campaign_id}")


def test_another_operator_cannot_cancel(seeded, client, operator_user):
    from tests.helpers.factories import make_user
    from tests.helpers.intake import import_bytes
    from tests.helpers.web import login

    campaign_id = import_bytes(FILE, "c.csv", user=operator_user).campaign.id
    login(client, make_user("outro@preventivo.test", "operator"))
    assert "Cancelar campanha" not in _page(client, f"{URL}{campaign_id}")
    token = csrf_from(client.get(URL).get_data(as_text=True))
    assert client.post(f"{URL}{campaign_id}/cancelar", data={"csrf_token": token}).status_code == 403


ALL_REFUSED = f"CPF;EMAIL\n111.111.111-11;ana@exemplo.com.br\n{A};=HYPERLINK(1)\n".encode()


def _refused_download_url(page: str) -> str:
    match = re.search(r'id="download-refused" href="([^"]+)"', page)
    assert match, "no download link on the page"
    return html.unescape(match.group(1))


def test_an_import_that_creates_no_campaign_offers_its_refused_lines_as_xlsx(seeded, operator_client):
    page = post_form(operator_client, ALL_REFUSED, "c.csv").get_data(as_text=True)
    assert "Nenhuma campanha foi criada" in page and campaign_count() == 0

    response = operator_client.get(_refused_download_url(page))

    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("Linha", "Tipo", "Coluna", "Valor", "Motivo")
    assert [(r[0], r[3]) for r in rows[1:]] == [(2, "***.111.111-**"), (3, "'=HYPERLINK(1)")]


def test_the_refused_lines_of_an_import_are_kept_for_who_uploaded_them_only(seeded, operator_user, admin_user):
    from app.intake import refused_report
    from app.intake.parser import Issue

    token = refused_report.keep(operator_user.id, [Issue("rejected", 2, "CPF", "***.111.111-**", "CPF inválido")])

    assert refused_report.fetch(operator_user.id, token) is not None
    assert refused_report.fetch(admin_user.id, token) is None


def test_an_expired_refused_lines_link_says_so(seeded, operator_client):
    response = operator_client.get(f"{URL}recusadas/naoexiste.xlsx", follow_redirects=True)

    assert response.mimetype == "text/html" and "expirou ou não é seu" in response.get_data(as_text=True)
