"""The smaller findings: control characters in names, display names in headers, a lying .xlsx dimension,
huge integers in URLs, private instance files."""
import io
import os
import stat
import time
from email import message_from_bytes, policy

import pytest

from app.intake.sources import Limits, open_source
from app.mailer.message import build_mime
from app.models import EmailService, Operation
from tests.helpers.xlsx import xlsx_declaring
from tests.helpers.web import csrf_from

INJECTED = "NET\r\nX-Injected: 1"
HUGE = "99999999999999999999999"


# --- names ------------------------------------------------------------------------------------------------
def _save(client, path, data):
    token = csrf_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def test_the_panel_refuses_a_line_break_in_an_operation_name(seeded, admin_client, db):
    op = db.session.execute(db.select(Operation).filter_by(code="NET")).scalar_one()
    response = _save(admin_client, f"/admin/operacoes/edit/?id={op.id}",
                     {"code": "NET", "name": INJECTED, "provider_url": "", "active": "y"})
    db.session.expire_all()
    assert "sem quebras de linha" in response.get_data(as_text=True)
    assert db.session.get(Operation, op.id).name == "NET"


def test_the_panel_refuses_a_control_character_in_a_service_name(seeded, admin_client, db):
    response = _save(admin_client, "/admin/servicos/new/",
                     {"name": "SERVICO\x07X", "host": "127.0.0.1", "port": "25", "security": "none",
                      "username": "u", "monthly_quota": "10", "rotation_order": "9"})
    assert "sem quebras de linha" in response.get_data(as_text=True)
    assert db.session.execute(db.select(EmailService).filter_by(name="SERVICO\x07X")).first() is None


def test_the_api_refuses_a_line_break_in_a_service_name(seeded, client, admin_headers):
    response = client.post("/api/v1/services", headers=admin_headers, json={
        "name": "SERVICO\nX-Injected: 1", "host": "127.0.0.1", "port": 25, "security": "none", "username": "u",
        "password": "p", "monthly_quota": 10})
    assert response.status_code == 422 and "name" in response.get_json()["error"]["details"]


def test_a_display_name_cannot_add_a_header():
    raw = build_mime(sender="boletos@net.com.br", sender_name=INJECTED, recipient="ana@exemplo.com.br",
                     subject="Boleto\r\nBcc: todos@exemplo.com.br", text="t", html="<p>t</p>", attachments=[],
                     message_id="<1@net.com.br>")
    message = message_from_bytes(raw, policy=policy.default)
    assert message["X-Injected"] is None and message["Bcc"] is None
    assert message["From"].addresses[0].addr_spec == "boletos@net.com.br"


def test_a_display_name_outside_ascii_is_encoded():
    raw = build_mime(sender="boletos@net.com.br", sender_name="Operação Ç", recipient="ana@exemplo.com.br",
                     subject="s", text="t", html="t", attachments=[], message_id="<1@net.com.br>")
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii() and b"=?utf-8?" in head
    assert message_from_bytes(raw, policy=policy.default)["From"].addresses[0].display_name == "Operação Ç"


# --- a lying .xlsx dimension ------------------------------------------------------------------------------
def _read_all(data: bytes) -> tuple[int, float]:
    started = time.perf_counter()
    source = open_source(io.BytesIO(data), "clientes.xlsx", Limits(max_rows=200_000, max_uncompressed_bytes=200 << 20))
    lines = sum(1 for _ in source.rows)
    source.close()
    return lines, time.perf_counter() - started


def test_an_xlsx_declaring_xfd_reads_as_fast_as_its_real_columns():
    rows = [("CPF", "EMAIL")] + [(f"{n:011d}", f"c{n}@exemplo.com.br") for n in range(20_000)]
    honest_lines, honest = _read_all(xlsx_declaring("A1:B20001", rows))
    lying_lines, lying = _read_all(xlsx_declaring("A1:XFD20001", rows))
    print(f"xlsx A1:B20001 {honest:.2f} s, A1:XFD20001 {lying:.2f} s")
    assert lying_lines == honest_lines == 20_000
    assert lying < honest * 2 + 0.5


def test_only_the_needed_columns_are_read():
    rows = [("CPF", "EMAIL", "OUTRA")] + [("52998224725", "ana@exemplo.com.br", "x" * 50)]
    source = open_source(io.BytesIO(xlsx_declaring("A1:C2", rows)), "c.xlsx", Limits(10, 200 << 20))
    assert [cells for _, cells in source.rows] == [["52998224725", "ana@exemplo.com.br"]]


# --- huge integers ----------------------------------------------------------------------------------------
MODEL_LISTS = ["/admin/usuarios/", "/admin/servicos/", "/admin/operacoes/", "/admin/tipos-de-campanha/",
               "/admin/emails-capturados/"]


@pytest.mark.parametrize("query", [f"page={HUGE}", f"page=-{HUGE}", f"page_size={HUGE}", f"sort={HUGE}",
                                   f"sort=-{HUGE}", f"desc={HUGE}", f"flt0_0={HUGE}", f"flt{HUGE}_0=1",
                                   f"search={HUGE}"])
def test_flask_admin_lists_survive_huge_integers(seeded, admin_client, query):
    for page in MODEL_LISTS:
        assert admin_client.get(f"{page}?{query}").status_code < 500, page


@pytest.mark.parametrize("view", ["edit", "details"])
def test_flask_admin_rows_survive_huge_ids(seeded, admin_client, view):
    for page in MODEL_LISTS:
        assert admin_client.get(f"{page}{view}/?id={HUGE}").status_code < 500, page


def test_flask_admin_delete_survives_a_huge_id(seeded, admin_client):
    token = csrf_from(admin_client.get("/admin/usuarios/").get_data(as_text=True))
    assert admin_client.post("/admin/usuarios/delete/", data={"csrf_token": token, "id": HUGE}).status_code < 500


@pytest.mark.parametrize("url", [f"/admin/campanhas/?operacao={HUGE}", f"/admin/campanhas/?pagina={HUGE}",
                                 f"/admin/campanhas/?por_pagina={HUGE}", f"/admin/campanhas/?operacao=-{HUGE}",
                                 f"/admin/campanhas/progresso.json?ids={HUGE}",
                                 f"/admin/campanhas/progresso.json?ids=1,{HUGE},-3,x",
                                 f"/admin/campanhas/{HUGE}", f"/admin/historico-de-envio/?limite={HUGE}"])
def test_report_urls_survive_huge_integers(seeded, admin_client, url):
    assert admin_client.get(url).status_code < 500


@pytest.mark.parametrize("field", ["operation", "campaign_type"])
def test_an_upload_naming_a_huge_id_is_refused_in_portuguese(seeded, client, operator_headers, field):
    from tests.helpers.intake import post_api

    response = post_api(client, operator_headers, b"CPF;EMAIL\n52998224725;ana@exemplo.com.br\n", "c.csv",
                        **{field: HUGE})
    assert response.status_code == 422 and field in response.get_json()["error"]["details"]


def test_details_page_survives_a_huge_page(seeded, admin_client):
    from tests.helpers.report_factories import campaign_with_every_outcome

    campaign = campaign_with_every_outcome()
    assert admin_client.get(f"/admin/campanhas/{campaign.id}?pagina={HUGE}").status_code == 200


def test_the_binding_form_survives_huge_ids(seeded, admin_client):
    token = csrf_from(admin_client.get("/admin/servico-de-envio/").get_data(as_text=True))
    response = admin_client.post("/admin/servico-de-envio/atualizar",
                                 data={"csrf_token": token, "operation_id": HUGE, "service_id": HUGE})
    assert response.status_code == 302


def test_a_list_action_survives_huge_ids(seeded, admin_client):
    token = csrf_from(admin_client.get("/admin/usuarios/").get_data(as_text=True))
    response = admin_client.post("/admin/usuarios/action/",
                                 data={"csrf_token": token, "action": "unlock", "rowid": [HUGE, "-1", "x"]})
    assert response.status_code == 302


# --- a template's validation sample is bounded ---------------------------------------------------------------
def test_saving_a_runaway_template_is_refused_quickly(seeded, admin_client, db):
    from app.models import CampaignType

    ctype = db.session.execute(db.select(CampaignType).filter_by(name="NET FASE 1")).scalar_one()
    path = f"/admin/tipos-de-campanha/edit/?id={ctype.id}"
    started = time.perf_counter()
    response = _save(admin_client, path, {
        "operation": str(ctype.operation_id), "name": ctype.name, "day_offsets": "0,7",
        "subject_template": "{{ 7**7777777 }}", "body_html_template": ctype.body_html_template,
        "body_text_template": ctype.body_text_template, "active": "y"})
    elapsed = time.perf_counter() - started
    db.session.expire_all()
    assert db.session.get(CampaignType, ctype.id).subject_template != "{{ 7**7777777 }}"
    assert response.status_code < 500 and elapsed < 2.0


# --- private instance files -------------------------------------------------------------------------------
def test_instance_files_are_private_from_creation(tmp_path, monkeypatch):
    import config

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    for name in ("SECRET_KEY", "ENCRYPTION_KEYS", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    previous = os.umask(0o022)  # a usual umask would make them world-readable
    try:
        config.load_config()
    finally:
        os.umask(previous)
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in (tmp_path / "instance").iterdir()}
    assert modes == {"secret_key": 0o600, "encryption.key": 0o600, "preventivo.db": 0o600}


def test_an_existing_file_is_not_rewritten(tmp_path):
    import config

    path = tmp_path / "secret"
    path.write_text("kept")
    assert config.create_private_file(path, b"new") is False and path.read_text() == "kept"
