"""A CPF typed in another column (here the email column) never appears whole to an operator:
not on the result page, not in the refused-lines .xlsx, not in the API's answer."""
import io
import re

import openpyxl

from tests.helpers.factories import make_user
from tests.helpers.intake import campaign_id_from_redirect, post_api, post_form
from tests.helpers.web import client_for

CPF_IN_EMAIL = "61541722906"
SPREADSHEET = ("CPF;EMAIL\n"
               "529.982.247-25;ana@exemplo.com.br\n"
               f"111.444.777-35;{CPF_IN_EMAIL}\n"
               f"390.533.447-05;615.417.229-06\n").encode()
ONLY_BAD = f"CPF;EMAIL\n111.444.777-35;{CPF_IN_EMAIL}\n".encode()


def _whole(text: str) -> bool:
    return CPF_IN_EMAIL in text or "615.417.229-06" in text


def _cells(xlsx: bytes) -> str:
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)


def test_not_on_the_result_page(seeded, operator_client, operator_user):
    campaign_id = campaign_id_from_redirect(post_form(operator_client, SPREADSHEET, "clientes.csv"))
    html = operator_client.get(f"/admin/campanhas/nova/{campaign_id}").get_data(as_text=True)
    assert not _whole(html) and "***.417.229-**" in html


def test_not_on_the_result_page_another_operator_opens(seeded, operator_client):
    from flask import current_app

    campaign_id = campaign_id_from_redirect(post_form(operator_client, SPREADSHEET, "clientes.csv"))
    other = client_for(current_app, make_user("outro@preventivo.test", "operator"))
    assert not _whole(other.get(f"/admin/campanhas/nova/{campaign_id}").get_data(as_text=True))


def test_not_in_the_refused_lines_xlsx(seeded, operator_client):
    campaign_id = campaign_id_from_redirect(post_form(operator_client, SPREADSHEET, "clientes.csv"))
    xlsx = operator_client.get(f"/admin/campanhas/nova/{campaign_id}/recusadas.xlsx").data
    cells = _cells(xlsx)
    assert not _whole(cells) and "***.417.229-**" in cells


def test_not_in_the_report_of_an_import_that_created_no_campaign(seeded, operator_client):
    html = post_form(operator_client, ONLY_BAD, "clientes.csv").get_data(as_text=True)
    link = re.search(r'href="(/admin/campanhas/nova/recusadas/[^"]+\.xlsx)"', html).group(1)
    assert not _whole(html) and not _whole(_cells(operator_client.get(link).data))


def test_not_in_the_api_answer(seeded, client, operator_headers):
    response = post_api(client, operator_headers, SPREADSHEET, "clientes.csv")
    assert response.status_code == 201 and not _whole(response.get_data(as_text=True))


def test_not_in_the_api_refusal(seeded, client, operator_headers):
    response = post_api(client, operator_headers, ONLY_BAD, "clientes.csv")
    assert response.status_code == 422 and not _whole(response.get_data(as_text=True))
