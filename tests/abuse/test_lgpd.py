"""An operator never sees a whole CPF (pages, files, API); admins' whole-CPF views and exports are audited."""
import io

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import AuditEvent
from tests.helpers.intake import campaign_id_from_redirect, post_api, post_form
from tests.helpers.report_factories import campaign_with_every_outcome

# Valid CPFs for an upload: one line refused (bad e-mail), one duplicated (a warning), one kept.
KEPT, REFUSED, DUPLICATED = "52998224725", "11144477735", "39053344705"
UPLOAD = ("CPF;Nome;EMAIL1\r\n"
          f"{KEPT};Ana;ana@exemplo.com.br\r\n"
          f"{REFUSED};Bia;nao-e-email\r\n"
          f"{DUPLICATED};Caio;caio@exemplo.com.br\r\n"
          f"{DUPLICATED};Caio;caio2@exemplo.com.br\r\n").encode("cp1252")


def shapes(cpf: str) -> list[str]:
    return [cpf, f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"]


def whole_cpfs_in(text: str, cpfs) -> list[str]:
    return [shape for cpf in cpfs for shape in shapes(cpf) if shape in text]


def xlsx_text(data: bytes) -> str:
    sheet = load_workbook(io.BytesIO(data)).active
    return "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)


def audits(action: str) -> int:
    return db.session.query(AuditEvent).filter_by(action=action).count()


def test_operator_import_result_and_refused_lines_file_show_no_whole_cpf(seeded, operator_client):
    response = post_form(operator_client, UPLOAD, "clientes.csv")
    campaign_id = campaign_id_from_redirect(response)
    html = operator_client.get(response.headers["Location"]).get_data(as_text=True)
    refused = operator_client.get(f"/admin/campanhas/nova/{campaign_id}/recusadas.xlsx")
    assert refused.status_code == 200
    cpfs = (KEPT, REFUSED, DUPLICATED)
    assert whole_cpfs_in(html, cpfs) == [] and whole_cpfs_in(xlsx_text(refused.data), cpfs) == []


def test_operator_api_answers_carry_no_whole_cpf(seeded, client, operator_headers):
    response = post_api(client, operator_headers, UPLOAD, "clientes.csv")
    assert response.status_code == 201
    campaign_id = response.get_json()["id"]
    bodies = [response.get_data(as_text=True)] + [
        client.get(path, headers=operator_headers).get_data(as_text=True)
        for path in (f"/api/v1/campaigns/{campaign_id}", "/api/v1/campaigns",
                     f"/api/v1/campaigns/{campaign_id}/deliveries")]
    assert whole_cpfs_in("\n".join(bodies), (KEPT, REFUSED, DUPLICATED)) == []


@pytest.mark.parametrize("path", ["/admin/campanhas/{id}", "/admin/campanhas/{id}?resultado=failed",
                                  "/admin/campanhas/{id}?resultado=api_error", "/admin/campanhas/",
                                  "/admin/", "/admin/campanhas/{id}/exportar.csv",
                                  "/admin/campanhas/{id}/exportar.csv?resultado=sent"])
def test_operator_pages_and_exports_show_no_whole_cpf(seeded, operator_client, path):
    from app.models import CampaignClient

    campaign = campaign_with_every_outcome()
    cpfs = db.session.execute(db.select(CampaignClient.cpf)).scalars().all()
    text = operator_client.get(path.format(id=campaign.id)).get_data(as_text=True)
    assert whole_cpfs_in(text, cpfs) == []
    assert audits("cpf.view") == audits("cpf.export") == 0


def test_operator_xlsx_export_shows_no_whole_cpf(seeded, operator_client):
    from app.models import CampaignClient

    campaign = campaign_with_every_outcome()
    cpfs = db.session.execute(db.select(CampaignClient.cpf)).scalars().all()
    data = operator_client.get(f"/admin/campanhas/{campaign.id}/exportar.xlsx").data
    assert whole_cpfs_in(xlsx_text(data), cpfs) == []


def test_each_admin_view_of_whole_cpfs_is_audited_with_who_and_what(seeded, admin_client, admin_user):
    campaign = campaign_with_every_outcome()
    admin_client.get(f"/admin/campanhas/{campaign.id}")
    admin_client.get(f"/admin/campanhas/{campaign.id}?resultado=failed")
    events = db.session.query(AuditEvent).filter_by(action="cpf.view").all()
    assert len(events) == 2
    assert all(e.user_id == admin_user.id and e.target_id == str(campaign.id) for e in events)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_admin_export_of_whole_cpfs_is_audited(seeded, admin_client, admin_user, fmt):
    campaign = campaign_with_every_outcome()
    response = admin_client.get(f"/admin/campanhas/{campaign.id}/exportar.{fmt}")
    assert response.status_code == 200
    event = db.session.query(AuditEvent).filter_by(action="cpf.export").one()
    assert event.user_id == admin_user.id and event.target_id == str(campaign.id)
    assert fmt in str(event.details)
