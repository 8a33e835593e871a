"""Login, logout and the lock-out after repeated failures."""
from tests.helpers.web import csrf_from


def post_login(client, email, password):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_wrong_password_is_refused_in_portuguese(client, admin_user):
    response = post_login(client, admin_user.email, "errada")
    assert response.status_code == 401
    assert "E-mail ou senha inválidos." in response.get_data(as_text=True)


def test_login_is_locked_after_repeated_failures(app, client, admin_user):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        post_login(client, admin_user.email, "errada")
    response = post_login(client, admin_user.email, "senha-segura-123")
    assert response.status_code == 429
    assert "Acesso bloqueado temporariamente neste endereço" in response.get_data(as_text=True)


def test_lock_ends_after_its_time(app, client, admin_user, clock):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        post_login(client, admin_user.email, "errada")
    clock.move(minutes=app.config["LOGIN_LOCK_MINUTES"] + 1)
    assert post_login(client, admin_user.email, "senha-segura-123").status_code == 302


def test_login_without_csrf_token_is_refused(client, admin_user):
    response = client.post("/login", data={"email": admin_user.email, "password": "senha-segura-123"})
    assert response.status_code == 400


def test_inactive_user_cannot_log_in(client, admin_user, db):
    admin_user.active = False
    db.session.commit()
    assert post_login(client, admin_user.email, "senha-segura-123").status_code == 401


def test_logout_ends_the_session(admin_client):
    token = csrf_from(admin_client.get("/admin/").get_data(as_text=True))
    admin_client.post("/logout", data={"csrf_token": token})
    assert admin_client.get("/admin/").status_code == 302


def test_logout_by_get_is_refused(admin_client):
    assert admin_client.get("/logout").status_code == 405
    assert admin_client.get("/admin/").status_code == 200


def test_passwords_are_stored_hashed(admin_user):
    assert "senha-segura-123" not in admin_user.password_hash
    assert admin_user.check_password("senha-segura-123")
