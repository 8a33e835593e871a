"""Passwords people can manage: `flask users set-password`, "Alterar minha senha", "Esqueci minha senha"."""
import re

import pytest

from app.extensions import db
from app.models import LoginLock, User
from tests.helpers.jobs import run_jobs
from tests.helpers.web import browser, client_for, csrf_from, login, page_token

NEW = "cavalo correto bateria grampo"


@pytest.fixture
def app_config(smtp_server):
    """The system's own mail (Flask-Mail) goes to a real SMTP server."""
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port, "MAIL_SUPPRESS_SEND": False,
            "LOGIN_IP_MAX_FAILURES": 5}


def _reload(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


# --- flask users set-password ---------------------------------------------------------------------------
def test_set_password_with_the_option(app, operator_user):
    result = app.test_cli_runner().invoke(args=["users", "set-password", operator_user.email, "--password", NEW])
    assert result.exit_code == 0, result.output
    assert _reload(operator_user).check_password(NEW)


def test_set_password_prompts_twice(app, operator_user):
    result = app.test_cli_runner().invoke(args=["users", "set-password", operator_user.email], input=f"{NEW}\n{NEW}\n")
    assert result.exit_code == 0, result.output
    assert _reload(operator_user).check_password(NEW)


def test_set_password_applies_the_policy(app, operator_user):
    result = app.test_cli_runner().invoke(args=["users", "set-password", operator_user.email, "--password", "12345678"])
    assert result.exit_code != 0 and "10 caracteres" in result.output
    assert _reload(operator_user).check_password("senha-segura-123")


def test_set_password_lifts_the_login_locks(app, operator_user):
    db.session.add(LoginLock(email=operator_user.email, address="10.1.1.1", failures=0))
    db.session.commit()
    app.test_cli_runner().invoke(args=["users", "set-password", operator_user.email, "--password", NEW])
    assert db.session.execute(db.select(db.func.count(LoginLock.id))).scalar_one() == 0


def test_set_password_of_an_unknown_user_fails(app):
    result = app.test_cli_runner().invoke(args=["users", "set-password", "ninguem@x.test", "--password", NEW])
    assert result.exit_code != 0 and "no user" in result.output


# --- Alterar minha senha ----------------------------------------------------------------------------------
def _change(client, current, new, confirmation=None):
    return client.post("/minha-senha", data={"csrf_token": page_token(client, "/minha-senha"),
                                             "current_password": current, "new_password": new,
                                             "confirmation": new if confirmation is None else confirmation})


def test_the_user_menu_offers_to_change_the_password(app, operator_user):
    assert 'href="/minha-senha"' in client_for(app, operator_user).get("/admin/").get_data(as_text=True)


def test_changing_the_password_needs_the_current_one(app, operator_user):
    response = _change(client_for(app, operator_user), "errada", NEW)
    assert response.status_code == 400 and "A senha atual não confere." in response.get_data(as_text=True)


def test_changing_the_password_needs_a_matching_confirmation(app, operator_user):
    response = _change(client_for(app, operator_user), "senha-segura-123", NEW, "outra coisa qualquer")
    assert "A confirmação não é igual à nova senha." in response.get_data(as_text=True)


def test_changing_the_password_applies_the_policy(app, operator_user):
    response = _change(client_for(app, operator_user), "senha-segura-123", "operador2026")
    assert "Senha fácil de adivinhar" in response.get_data(as_text=True)


def test_the_new_password_is_the_one_that_logs_in(app, operator_user):
    _change(client_for(app, operator_user), "senha-segura-123", NEW)
    assert login(browser(app), operator_user, NEW).status_code == 302


# --- Esqueci minha senha ----------------------------------------------------------------------------------
def _ask_reset(app, email, address="10.2.2.2"):
    client = browser(app, address)
    token = csrf_from(client.get("/esqueci-minha-senha").get_data(as_text=True))
    return client.post("/esqueci-minha-senha", data={"email": email, "csrf_token": token})


def _link(smtp_server) -> str:
    (message,) = [m for m in smtp_server.received]
    body = message.parsed().get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/redefinir-senha/\S+)", body).group(1)


def _reset(app, path, password=NEW, confirmation=None):
    client = browser(app)
    page = client.get(path)
    if page.status_code != 200:
        return page
    return client.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True)), "new_password": password,
                                   "confirmation": password if confirmation is None else confirmation})


def test_the_login_page_links_to_the_forgotten_password(app):
    assert 'href="/esqueci-minha-senha"' in browser(app).get("/login").get_data(as_text=True)


def test_a_reset_link_is_mailed(app, operator_user, smtp_server):
    _ask_reset(app, operator_user.email)
    run_jobs()
    (message,) = smtp_server.received
    assert message.rcpt_tos == [operator_user.email] and "/redefinir-senha/" in _link(smtp_server)


def test_the_answer_is_the_same_whether_or_not_the_email_exists(app, operator_user):
    known = _ask_reset(app, operator_user.email, address="10.3.3.3")
    unknown = _ask_reset(app, "ninguem@preventivo.test", address="10.3.3.4")
    assert (known.status_code, known.get_data(as_text=True)) == (unknown.status_code, unknown.get_data(as_text=True))


def test_no_mail_goes_to_an_unknown_email(app, smtp_server):
    _ask_reset(app, "ninguem@preventivo.test")
    run_jobs()
    assert smtp_server.received == []


def test_the_link_sets_a_new_password(app, operator_user, smtp_server):
    _ask_reset(app, operator_user.email)
    run_jobs()
    assert _reset(app, _link(smtp_server)).status_code == 302
    assert _reload(operator_user).check_password(NEW)


def test_the_link_works_once(app, operator_user, smtp_server):
    _ask_reset(app, operator_user.email)
    run_jobs()
    link = _link(smtp_server)
    _reset(app, link)
    assert _reset(app, link, "outra frase longa e boa").status_code == 400
    assert _reload(operator_user).check_password(NEW)


def test_the_link_expires_after_an_hour(app, operator_user, smtp_server, clock):
    _ask_reset(app, operator_user.email)
    run_jobs()
    clock.move(minutes=app.config["PASSWORD_RESET_MINUTES"] + 1)
    response = _reset(app, _link(smtp_server))
    assert response.status_code == 400 and "expirou" in response.get_data(as_text=True)


def test_a_tampered_link_is_refused(app, operator_user, smtp_server):
    _ask_reset(app, operator_user.email)
    run_jobs()
    assert _reset(app, _link(smtp_server)[:-3] + "abc").status_code == 400


def test_the_reset_applies_the_policy(app, operator_user, smtp_server):
    _ask_reset(app, operator_user.email)
    run_jobs()
    response = _reset(app, _link(smtp_server), "12345678")
    assert response.status_code == 400 and "10 caracteres" in response.get_data(as_text=True)


def test_a_reset_ends_the_users_sessions(app, operator_user, smtp_server):
    theirs = client_for(app, operator_user)
    _ask_reset(app, operator_user.email)
    run_jobs()
    _reset(app, _link(smtp_server))
    assert theirs.get("/admin/campanhas/").status_code == 302


def test_the_login_throttle_applies_to_reset_requests(app, operator_user):
    answers = [_ask_reset(app, operator_user.email, address="10.4.4.4").status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]


def test_the_link_uses_public_url_when_set(app, operator_user, smtp_server):
    app.config["PUBLIC_URL"] = "https://preventivo.empresa.com.br"
    _ask_reset(app, operator_user.email)
    run_jobs()
    (message,) = smtp_server.received
    assert "https://preventivo.empresa.com.br/redefinir-senha/" in message.parsed().get_body(("plain",)).get_content()
