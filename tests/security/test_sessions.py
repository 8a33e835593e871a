"""Sessions that end: a cookie copied before logout, a password change, an admin's edit, or idle time is refused."""
from app.extensions import db
from app.models import User
from tests.helpers.factories import make_user
from tests.helpers.web import browser, client_for, csrf_from, page_token

PANEL = "/admin/usuarios/"


def _copy_of(client, app):
    """Another browser holding a copy of `client`'s session cookie (what a thief would replay)."""
    thief = browser(app)
    cookie = client.get_cookie("session")
    thief.set_cookie(cookie.key, cookie.value, domain=cookie.domain or "localhost")
    return thief


def test_a_copied_cookie_works_while_the_session_lives(app, admin_user):
    victim = client_for(app, admin_user)
    assert _copy_of(victim, app).get(PANEL).status_code == 200


def test_a_cookie_replayed_after_logout_is_refused(app, admin_user):
    victim = client_for(app, admin_user)
    thief = _copy_of(victim, app)
    victim.post("/logout", data={"csrf_token": page_token(victim)})
    assert thief.get(PANEL).status_code == 302


def test_a_cookie_replayed_after_a_password_change_is_refused(app, admin_user):
    victim = client_for(app, admin_user)
    thief = _copy_of(victim, app)
    victim.post("/minha-senha", data={"csrf_token": page_token(victim, "/minha-senha"),
                                      "current_password": "senha-segura-123",
                                      "new_password": "outra frase bem comprida", "confirmation": "outra frase bem comprida"})
    assert thief.get(PANEL).status_code == 302


def test_the_session_that_changed_the_password_goes_on(app, admin_user):
    victim = client_for(app, admin_user)
    victim.post("/minha-senha", data={"csrf_token": page_token(victim, "/minha-senha"),
                                      "current_password": "senha-segura-123",
                                      "new_password": "outra frase bem comprida", "confirmation": "outra frase bem comprida"})
    assert victim.get(PANEL).status_code == 200


def test_a_cookie_replayed_after_an_admin_changed_the_password_is_refused(app, admin_user):
    operator = make_user("ana@preventivo.test", "operator")
    theirs = client_for(app, operator)
    admin = client_for(app, admin_user)
    edit = f"/admin/usuarios/edit/?id={operator.id}"
    admin.post(edit, data={"csrf_token": page_token(admin, edit), "email": operator.email, "name": "Ana",
                           "role": "operator", "active": "y", "password": "cavalo correto bateria grampo"})
    assert theirs.get("/admin/campanhas/").status_code == 302


def test_a_session_ends_when_an_admin_deactivates_the_user(app, admin_user):
    operator = make_user("ana@preventivo.test", "operator")
    theirs = client_for(app, operator)
    admin = client_for(app, admin_user)
    edit = f"/admin/usuarios/edit/?id={operator.id}"
    admin.post(edit, data={"csrf_token": page_token(admin, edit), "email": operator.email, "name": "Ana",
                           "role": "operator"})  # "active" unchecked
    assert db.session.get(User, operator.id).active is False
    assert theirs.get("/admin/campanhas/").status_code == 302


def test_an_admin_editing_their_own_record_stays_logged_in(app, admin_user):
    admin = client_for(app, admin_user)
    edit = f"/admin/usuarios/edit/?id={admin_user.id}"
    admin.post(edit, data={"csrf_token": page_token(admin, edit), "email": admin_user.email, "name": "Outro nome",
                           "role": "admin", "active": "y"})
    assert admin.get(PANEL).status_code == 200


def test_a_cookie_replayed_after_idle_time_is_refused(app, admin_user, clock):
    victim = client_for(app, admin_user)
    thief = _copy_of(victim, app)
    clock.move(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    assert thief.get(PANEL).status_code == 302


def test_use_keeps_a_session_alive_past_the_idle_time(app, admin_user, clock):
    victim = client_for(app, admin_user)
    for _ in range(3):
        clock.move(minutes=app.config["SESSION_IDLE_MINUTES"] - 5)
        assert victim.get(PANEL).status_code == 200


def test_polling_does_not_keep_an_idle_session_alive(app, admin_user, clock):
    victim = client_for(app, admin_user)
    clock.move(minutes=app.config["SESSION_IDLE_MINUTES"] - 5)
    victim.get("/admin/campanhas/progresso.json?ids=1")
    clock.move(minutes=10)
    assert victim.get(PANEL).status_code == 302


def test_a_session_ends_after_its_absolute_lifetime_even_in_use(app, admin_user, clock):
    victim = client_for(app, admin_user)
    for _ in range(app.config["SESSION_MAX_HOURS"] * 3):
        clock.move(minutes=20)
        victim.get(PANEL)
    clock.move(minutes=20)
    assert victim.get(PANEL).status_code == 302


def test_the_expired_session_is_told_in_portuguese(app, admin_user, clock):
    victim = client_for(app, admin_user)
    clock.move(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    assert "Sua sessão expirou" in victim.get(PANEL, follow_redirects=True).get_data(as_text=True)


def _raw_csrf(app, client):
    """The raw CSRF secret kept in the (signed) session cookie."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(client.get_cookie("session").value).get("csrf_token")


def test_login_gives_a_new_csrf_token(app, admin_user):
    client = browser(app)
    before = csrf_from(client.get("/login").get_data(as_text=True))
    raw_before = _raw_csrf(app, client)
    client.post("/login", data={"email": admin_user.email, "password": "senha-segura-123", "csrf_token": before})
    page_token(client)
    assert _raw_csrf(app, client) not in (None, raw_before)


def test_a_csrf_token_from_before_login_is_refused_after_it(app, admin_user):
    client = browser(app)
    before = csrf_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": admin_user.email, "password": "senha-segura-123", "csrf_token": before})
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400


def test_the_session_cookie_expires_with_the_absolute_lifetime(app, admin_user):
    client = client_for(app, admin_user)
    cookie = client.get_cookie("session")
    assert cookie.expires is not None
