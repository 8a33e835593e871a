"""Names, e-mails and file names carrying HTML or spreadsheet formulas are shown as text everywhere."""
import csv
import io

from app.campaigns import sending
from app.extensions import db
from app.models import CampaignClient
from tests.helpers.factories import make_service, make_user
from tests.helpers.intake import campaign_id_from_redirect, post_form
from tests.helpers.report_factories import make_campaign, make_client
from tests.helpers.sending_factories import make_sending_campaign

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
FORMULAS = ["=1+1", "+SOMA(A1)", "-2+3", "@SUM(1)", '=HYPERLINK("http://x")']


def test_campaign_list_and_details_escape_names_emails_and_file_names(seeded, admin_client):
    campaign = make_campaign()
    campaign.source_filename = f"{IMG}.csv"
    db.session.commit()
    make_client(campaign, 1, [f"a{IMG}@exemplo.com.br"], name=SCRIPT)
    for page in ("/admin/campanhas/", f"/admin/campanhas/{campaign.id}"):
        html = admin_client.get(page).get_data(as_text=True)
        assert SCRIPT not in html and IMG not in html, page
    details = admin_client.get(f"/admin/campanhas/{campaign.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in details


def test_import_result_escapes_refused_values_and_names(seeded, operator_client):
    data = ("CPF;Nome;EMAIL1\r\n"
            f"52998224725;{SCRIPT};cliente@exemplo.com.br\r\n"
            f"11144477735;Ana;{IMG}\r\n"
            f"{SCRIPT};Bia;bia@exemplo.com.br\r\n").encode("cp1252")
    response = post_form(operator_client, data, f"{SCRIPT}.csv")
    campaign_id = campaign_id_from_redirect(response)
    html = operator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert campaign_id and SCRIPT not in html and IMG not in html


def test_panel_lists_escape_user_and_service_fields(seeded, admin_client):
    make_user("x@preventivo.test", name=SCRIPT)
    from app.timeutil import now_utc

    service = make_service("SERVICO_7", host=IMG, username=SCRIPT)

    service.broken_at, service.broken_reason = now_utc(), f"535 {SCRIPT}"
    db.session.commit()
    for page in ("/admin/usuarios/", "/admin/servicos/"):
        html = admin_client.get(page).get_data(as_text=True)
        assert SCRIPT not in html and IMG not in html, page


def test_email_html_part_escapes_the_clients_name(claro_on_2, smtp_server):
    campaign = make_sending_campaign(clients=1)
    client = db.session.execute(db.select(CampaignClient).filter_by(campaign_id=campaign.id)).scalar_one()
    client.name = f"{SCRIPT} & {IMG}"
    db.session.commit()

    sending.send_batch(campaign.id)

    message = smtp_server.received[0].parsed()
    html = message.get_body(("html",)).get_content()
    assert SCRIPT not in html and IMG not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert SCRIPT in message.get_body(("plain",)).get_content()  # the text part is text: shown as written


def test_a_name_cannot_add_header_lines_to_the_email(claro_on_2, smtp_server, seeded):
    from app.models import CampaignType

    campaign = make_sending_campaign(clients=1)
    ctype = db.session.get(CampaignType, campaign.campaign_type_id)
    ctype.subject_template = "Boleto de {{ nome }}"
    client = db.session.execute(db.select(CampaignClient).filter_by(campaign_id=campaign.id)).scalar_one()
    client.name = "Ana\r\nBcc: vitima@exemplo.com.br"
    db.session.commit()

    sending.send_batch(campaign.id)

    received = smtp_server.received
    assert len(received) == 1 and "vitima@exemplo.com.br" not in smtp_server.recipients()
    assert received[0].parsed()["Bcc"] is None


def _export_rows(client, campaign_id) -> list[list[str]]:
    text = client.get(f"/admin/campanhas/{campaign_id}/exportar.csv").get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_csv_export_neutralises_every_formula_prefix(seeded, admin_client):
    campaign = make_campaign()
    for n, formula in enumerate(FORMULAS, start=1):
        make_client(campaign, n, [f"{formula}@exemplo.com.br"], name=formula)
    rows = _export_rows(admin_client, campaign.id)
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert {f"'{f}" for f in FORMULAS} <= set(cells)


def test_xlsx_export_stores_formula_like_text_as_text(seeded, admin_client):
    from openpyxl import load_workbook

    campaign = make_campaign()
    for n, formula in enumerate(FORMULAS, start=1):
        make_client(campaign, n, ["c@exemplo.com.br"], name=formula)
    response = admin_client.get(f"/admin/campanhas/{campaign.id}/exportar.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    risky = [c for c in cells if c.value.lstrip("'").startswith(("=", "+", "-", "@"))]
    assert len(risky) >= len(FORMULAS) and all(c.data_type == "s" for c in risky)


def test_operator_export_has_no_whole_cpf_either(seeded, operator_client):
    campaign = make_campaign()
    make_client(campaign, 1, ["a@exemplo.com.br"], name="Ana")
    cpf = db.session.execute(db.select(CampaignClient.cpf)).scalar_one()
    for fmt in ("csv", "xlsx"):
        body = operator_client.get(f"/admin/campanhas/{campaign.id}/exportar.{fmt}").data
        if fmt == "xlsx":
            from openpyxl import load_workbook

            sheet = load_workbook(io.BytesIO(body)).active
            body = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row).encode()
        formatted = f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"
        assert cpf.encode() not in body and formatted.encode() not in body, fmt
