"""CPFs by role, audit of whole CPFs, and exports that keep CPFs and formulas as text."""
import csv
import io

from openpyxl import load_workbook

from app.extensions import db
from app.models import AuditEvent
from tests.helpers.report_factories import campaign_with_every_outcome, make_cpf

WHOLE = "000.000.001-91"


def test_operator_sees_masked_cpfs_and_no_audit(seeded, operator_client):
    campaign = campaign_with_every_outcome()
    html = operator_client.get(f"/admin/campanhas/{campaign.id}").get_data(as_text=True)
    assert make_cpf(1) == "00000000191"
    assert "***.000.001-**" in html and WHOLE not in html and "00000000191" not in html
    assert db.session.query(AuditEvent).filter_by(action="cpf.view").count() == 0


def test_admin_sees_whole_cpfs_and_the_view_is_audited(seeded, admin_client):
    campaign = campaign_with_every_outcome()
    html = admin_client.get(f"/admin/campanhas/{campaign.id}").get_data(as_text=True)
    assert WHOLE in html
    assert db.session.query(AuditEvent).filter_by(action="cpf.view", target_id=str(campaign.id)).count() == 1


def test_operator_export_is_masked(seeded, operator_client):
    campaign = campaign_with_every_outcome()
    text = operator_client.get(f"/admin/campanhas/{campaign.id}/exportar.csv").get_data(as_text=True)
    assert "***.000.001-**" in text and WHOLE not in text


def test_xlsx_keeps_cpfs_and_formulas_as_text(seeded, admin_client):
    campaign = campaign_with_every_outcome()
    response = admin_client.get(f"/admin/campanhas/{campaign.id}/exportar.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(min_row=2))
    cpfs = [row[0] for row in rows]
    assert cpfs[0].value == WHOLE and all(c.data_type == "s" for c in cpfs)
    formula_like = [c for row in rows for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert formula_like and all(c.data_type == "s" for c in formula_like)
    assert db.session.query(AuditEvent).filter_by(action="cpf.export").count() == 1


def test_csv_neutralises_cells_that_start_a_formula(seeded, admin_client):
    campaign = campaign_with_every_outcome()
    text = admin_client.get(f"/admin/campanhas/{campaign.id}/exportar.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    last = rows[-1]
    assert last[1] == "'=1+1" and last[5].startswith("'=HYPERLINK")
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert rows[1][0] == WHOLE
