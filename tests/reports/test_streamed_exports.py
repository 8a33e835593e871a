"""Big exports stream: the download starts while the rows are still being read (issue 16, item 8)."""
import csv
import io

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import CampaignClient
from app.reports import exports
from tests.helpers.report_factories import make_campaign, make_cpf

ROWS = 450


@pytest.fixture
def big_campaign(seeded):
    campaign = make_campaign()
    db.session.add_all(CampaignClient(campaign_id=campaign.id, cpf=make_cpf(n), emails=f"c{n}@exemplo.com.br",
                                      name=f"Cliente {n}", line=n + 1) for n in range(1, ROWS + 1))
    db.session.commit()
    return campaign


def test_xlsx_export_is_a_streamed_response(big_campaign, admin_client):
    response = admin_client.get(f"/admin/campanhas/{big_campaign.id}/exportar.xlsx", buffered=False)
    assert response.is_streamed
    response.close()


def test_xlsx_first_chunk_comes_before_the_rows_are_read(big_campaign, admin_client):
    response = admin_client.get(f"/admin/campanhas/{big_campaign.id}/exportar.xlsx", buffered=False)
    chunks = response.response
    first = next(iter(chunks))
    assert first.startswith(b"PK") and len(first) < 20_000  # the zip's first parts, not the whole workbook
    response.close()


def test_streamed_xlsx_opens_with_every_row(big_campaign, admin_client):
    data = admin_client.get(f"/admin/campanhas/{big_campaign.id}/exportar.xlsx").data
    rows = list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))
    assert rows[0] == tuple(exports.HEADER) and len(rows) == ROWS + 1
    assert rows[-1][1:3] == (f"Cliente {ROWS}", ROWS + 1)


def test_streamed_xlsx_opens_in_full_mode_with_text_cells(big_campaign, admin_client):
    data = admin_client.get(f"/admin/campanhas/{big_campaign.id}/exportar.xlsx").data
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.max_row == ROWS + 1 and sheet["A2"].data_type == "s" and sheet["A2"].number_format == "@"


def test_csv_export_is_a_streamed_response_with_every_row(big_campaign, admin_client):
    response = admin_client.get(f"/admin/campanhas/{big_campaign.id}/exportar.csv", buffered=False)
    assert response.is_streamed
    text = b"".join(response.response).decode("utf-8-sig")
    response.close()
    assert len(list(csv.reader(io.StringIO(text), delimiter=";"))) == ROWS + 1


def test_xml_special_characters_survive_and_control_characters_go(seeded, admin_client):
    campaign = make_campaign()
    db.session.add(CampaignClient(campaign_id=campaign.id, cpf=make_cpf(1), emails="a@exemplo.com.br",
                                  name=' <Ana & "Bia">\x01 ', line=2))
    db.session.commit()
    data = admin_client.get(f"/admin/campanhas/{campaign.id}/exportar.xlsx").data
    assert load_workbook(io.BytesIO(data)).active["B2"].value == ' <Ana & "Bia"> '


def test_an_empty_export_is_a_workbook_with_its_header(seeded):
    sheet = load_workbook(io.BytesIO(exports.write_xlsx([], None))).active
    assert [c.value for c in sheet[1]] == exports.HEADER and sheet.max_row == 1
