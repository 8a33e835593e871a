"""Guessing passwords is slowed and stopped: per account, per address, and across accounts."""
import time

import pytest

from tests.helpers.factories import make_user
from tests.helpers.web import csrf_from


@pytest.fixture
def app_config():
    return {"LOGIN_MAX_FAILURES": 3, "LOGIN_IP_MAX_FAILURES": 5, "LOGIN_IP_WINDOW_SECONDS": 60,
            "LOGIN_FAILURE_DELAY": 0}


def attempt(app, email, password, address="10.0.0.1"):
    from flask import g

    g.pop("csrf_token", None)  # requests share the test's app context: a fresh client needs a fresh token
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_spraying_many_accounts_from_one_address_is_stopped(app):
    users = [make_user(f"u{n}@preventivo.test") for n in range(5)]
    for user in users:  # one wrong guess per account: no account reaches its own lock-out
        assert attempt(app, user.email, "errada").status_code == 401
    response = attempt(app, users[0].email, "senha-segura-123")
    assert response.status_code == 429
    assert "a partir deste endereço" in response.get_data(as_text=True)


def test_unknown_emails_count_against_the_address(app):
    make_user("real@preventivo.test")
    for n in range(5):
        attempt(app, f"ninguem{n}@preventivo.test", "x")
    assert attempt(app, "real@preventivo.test", "senha-segura-123").status_code == 429


def test_another_address_is_not_affected(app):
    user = make_user("ana@preventivo.test")
    other = make_user("bia@preventivo.test")
    for n in range(5):
        attempt(app, f"ninguem{n}@preventivo.test", "x", address="10.0.0.1")
    assert attempt(app, other.email, "senha-segura-123", address="10.0.0.2").status_code == 302
    assert user.id  # the first address's account was never touched


def test_wrong_guesses_lock_the_guessing_address_out_of_the_account(app):
    user = make_user("ana@preventivo.test")
    for _ in range(3):
        attempt(app, user.email, "errada", address="10.0.1.1")
    response = attempt(app, user.email, "senha-segura-123", address="10.0.1.1")
    assert response.status_code == 429
    assert "Acesso bloqueado temporariamente neste endereço" in response.get_data(as_text=True)


def test_a_stranger_cannot_lock_the_owner_out_from_another_address(app):
    user = make_user("ana@preventivo.test")
    for _ in range(4):  # past LOGIN_MAX_FAILURES (3), from the stranger's address
        attempt(app, user.email, "errada", address="10.0.1.66")
    assert attempt(app, user.email, "senha-segura-123", address="10.0.2.1").status_code == 302


def test_an_unknown_email_is_locked_like_a_known_one(app):
    make_user("ana@preventivo.test")
    answers = {}
    for n, email in enumerate(("ana@preventivo.test", "ninguem@preventivo.test")):
        for _ in range(4):
            response = attempt(app, email, "errada", address=f"10.0.3.{n}")
        answers[email] = (response.status_code, "Acesso bloqueado" in response.get_data(as_text=True))
    assert answers["ana@preventivo.test"] == answers["ninguem@preventivo.test"] == (429, True)


def test_the_address_may_try_again_after_its_window(app):
    from app.auth.throttle import PREFIX
    from app.jobs import get_redis

    user = make_user("ana@preventivo.test")
    for n in range(5):
        attempt(app, f"ninguem{n}@preventivo.test", "x")
    get_redis().delete(PREFIX + "10.0.0.1")  # what the key's expiry does when the window ends
    assert attempt(app, user.email, "senha-segura-123").status_code == 302


def test_each_wrong_guess_costs_the_configured_pause(app):
    user = make_user("ana@preventivo.test")
    app.config["LOGIN_FAILURE_DELAY"] = 0.2
    started = time.perf_counter()
    attempt(app, user.email, "errada")
    assert time.perf_counter() - started >= 0.2


def test_throttle_window_is_set_once_per_address(app):
    from app.auth.throttle import PREFIX
    from app.jobs import get_redis

    attempt(app, "ninguem@preventivo.test", "x")
    assert 0 < get_redis().ttl(PREFIX + "10.0.0.1") <= 60
