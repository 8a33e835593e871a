"""The panel: the bounce mailbox (admins, password write-only) and "Endereços bloqueados" (everyone reads, admins
change, audited)."""
from __future__ import annotations

import io

from app.extensions import db
from app.models import AuditEvent, BounceMailbox, Suppression
from tests.helpers.web import client_for, csrf_from

SECRET = "Imap-Senha-Muito-Secreta-42"
SUPPRESSIONS = "/admin/enderecos-bloqueados/"


def _post(client, url, data, page_url, **kwargs):
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=True, **kwargs)


def _create_mailbox(admin_client):
    form = {"host": "imap.exemplo.com.br", "port": "993", "security": "ssl", "username": "devolucoes",
            "password": SECRET, "folder": "INBOX", "envelope_sender": "Devolucoes@Claro.exemplo.com.br",
            "active": "y"}
    return _post(admin_client, "/admin/caixa-de-devolucoes/new/", form, "/admin/caixa-de-devolucoes/new/")


def test_an_admin_registers_a_mailbox_with_the_password_encrypted(admin_client):
    _create_mailbox(admin_client)

    mailbox = db.session.execute(db.select(BounceMailbox)).scalar_one()
    assert (mailbox.password, mailbox.envelope_sender) == (SECRET, "devolucoes@claro.exemplo.com.br")
    assert SECRET not in mailbox.password_encrypted


def test_the_mailbox_password_never_appears_in_the_pages(admin_client):
    _create_mailbox(admin_client)
    mailbox = db.session.execute(db.select(BounceMailbox)).scalar_one()

    pages = [admin_client.get(url).get_data(as_text=True) for url in
             ("/admin/caixa-de-devolucoes/", f"/admin/caixa-de-devolucoes/edit/?id={mailbox.id}")]

    assert all(SECRET not in page and mailbox.password_encrypted not in page for page in pages)


def test_a_blank_password_on_edit_keeps_the_stored_one(admin_client):
    _create_mailbox(admin_client)
    mailbox = db.session.execute(db.select(BounceMailbox)).scalar_one()
    url = f"/admin/caixa-de-devolucoes/edit/?id={mailbox.id}"

    _post(admin_client, url, {"host": "imap2.exemplo.com.br", "port": "993", "security": "ssl",
                              "username": "devolucoes", "password": "", "folder": "INBOX", "active": "y"}, url)

    db.session.expire_all()
    assert (mailbox.host, mailbox.password) == ("imap2.exemplo.com.br", SECRET)


def test_operators_cannot_open_the_mailbox_page(operator_client):
    assert operator_client.get("/admin/caixa-de-devolucoes/").status_code == 403


def test_an_admin_blocks_an_address_and_it_is_audited(admin_client):
    page = _post(admin_client, SUPPRESSIONS + "adicionar", {"email": " Fulano@Exemplo.com.br ", "reason": "pediu"},
                 SUPPRESSIONS).get_data(as_text=True)

    assert "fulano@exemplo.com.br bloqueado" in page
    row = db.session.execute(db.select(Suppression)).scalar_one()
    assert (row.email, row.reason, row.source) == ("fulano@exemplo.com.br", "pediu", "manual")
    assert db.session.execute(db.select(AuditEvent.action)).scalars().all() == ["suppression.add"]


def test_an_invalid_address_is_refused_with_a_message(admin_client):
    page = _post(admin_client, SUPPRESSIONS + "adicionar", {"email": "nao-e-email"}, SUPPRESSIONS)

    assert "E-mail inválido" in page.get_data(as_text=True) and db.session.query(Suppression).count() == 0


def test_an_admin_unblocks_an_address_and_it_is_audited(admin_client):
    _post(admin_client, SUPPRESSIONS + "adicionar", {"email": "fulano@exemplo.com.br"}, SUPPRESSIONS)

    _post(admin_client, SUPPRESSIONS + "remover", {"email": "fulano@exemplo.com.br"}, SUPPRESSIONS)

    assert db.session.query(Suppression).count() == 0
    assert "suppression.remove" in db.session.execute(db.select(AuditEvent.action)).scalars().all()


def test_an_admin_imports_a_csv_and_invalid_lines_are_reported(admin_client):
    data = "email;motivo\nA@exemplo.com.br;caixa fechada\nb@exemplo.com.br\nlixo\n".encode()

    page = _post(admin_client, SUPPRESSIONS + "importar", {"file": (io.BytesIO(data), "lista.csv")}, SUPPRESSIONS,
                 content_type="multipart/form-data").get_data(as_text=True)

    rows = {s.email: (s.reason, s.source) for s in db.session.execute(db.select(Suppression)).scalars()}
    assert rows == {"a@exemplo.com.br": ("caixa fechada", "import"), "b@exemplo.com.br": ("Importado de arquivo", "import")}
    assert "linha 4: lixo" in page


def test_operators_search_and_export_but_cannot_change(app, operator_user):
    from app.bounces import suppression

    suppression.suppress("fulano@exemplo.com.br", "manual")
    suppression.suppress("beltrano@exemplo.com.br", "manual")
    db.session.commit()
    operator_client = client_for(app, operator_user)

    page = operator_client.get(SUPPRESSIONS + "?email=fulano").get_data(as_text=True)
    export = operator_client.get(SUPPRESSIONS + "exportar").get_data(as_text=True)
    token = csrf_from(operator_client.get("/admin/").get_data(as_text=True))
    refused = operator_client.post(SUPPRESSIONS + "remover", data={"email": "fulano@exemplo.com.br", "csrf_token": token})

    assert "fulano@exemplo.com.br" in page and "beltrano@exemplo.com.br" not in page and "Bloquear" not in page
    assert "fulano@exemplo.com.br" in export and "beltrano@exemplo.com.br" in export
    assert refused.status_code == 403 and db.session.query(Suppression).count() == 2


def test_the_mailbox_password_is_not_in_the_audit_trail_json(admin_client):
    import json

    _create_mailbox(admin_client)

    details = [json.dumps(e.details) for e in db.session.execute(db.select(AuditEvent)).scalars()]
    assert details and all(SECRET not in d for d in details)
