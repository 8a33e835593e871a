"""The mailbox page's actions against the real IMAP server: test the connection, read now."""
from __future__ import annotations

from app.extensions import db
from tests.bounces import samples
from tests.helpers.web import csrf_from

PAGE = "/admin/caixa-de-devolucoes/"


def _post(client, url):
    token = csrf_from(client.get(PAGE).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)


def test_testing_the_connection_logs_in_and_opens_the_folder(admin_client, mailbox):
    page = _post(admin_client, f"{PAGE}testar/{mailbox.id}")

    assert "OK: conectou, autenticou e abriu a pasta INBOX" in page


def test_a_wrong_password_is_reported_without_showing_it(admin_client, mailbox):
    mailbox.set_password("Outra-Senha-Errada-99")
    db.session.commit()

    page = _post(admin_client, f"{PAGE}testar/{mailbox.id}")

    assert "usuário ou senha recusados" in page and "Outra-Senha-Errada-99" not in page


def test_read_now_processes_the_bounces(admin_client, imap, mailbox):
    imap.deliver(samples.dsn("fulano@exemplo.com.br", None))
    imap.deliver(samples.auto_reply("beltrano@exemplo.com.br", None))

    page = _post(admin_client, f"{PAGE}ler/{mailbox.id}")

    assert "1 devoluções processadas, 1 outras mensagens" in page
    assert (imap.count("INBOX"), imap.count("Preventivo/processados")) == (1, 1)
