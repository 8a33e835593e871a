"""Every panel form refuses a post without its CSRF token: create, delete and list actions."""
from app.extensions import db
from app.models import EmailService
from tests.helpers.factories import make_service, make_user
from tests.helpers.web import csrf_from

SERVICE_FORM = {
    "name": "SERVICO_9", "host": "smtp.exemplo.com.br", "port": "587", "security": "starttls",
    "username": "u", "password": "x", "monthly_quota": "100", "rotation_order": "9", "in_rotation": "y",
    "active": "y", "allowed_senders": "",
}


def count_services():
    return db.session.execute(db.select(db.func.count(EmailService.id))).scalar_one()


def test_create_without_token_is_refused(admin_client):
    admin_client.post("/admin/servicos/new/", data=SERVICE_FORM)
    assert count_services() == 0


def test_create_with_token_is_accepted(admin_client):
    token = csrf_from(admin_client.get("/admin/servicos/new/").get_data(as_text=True))
    admin_client.post("/admin/servicos/new/", data={**SERVICE_FORM, "csrf_token": token})
    assert count_services() == 1


def test_delete_without_token_is_refused(admin_client):
    service = make_service("SERVICO_8")
    admin_client.post("/admin/servicos/delete/", data={"id": str(service.id)})
    assert db.session.get(EmailService, service.id) is not None


def _locked_user():
    from datetime import timedelta

    from app.models import LoginLock
    from app.timeutil import now_utc

    user = make_user("bloqueado@preventivo.test", "operator")
    db.session.add(LoginLock(email=user.email, address="10.9.9.9", failures=0,
                             locked_until=now_utc() + timedelta(minutes=10)))
    db.session.commit()
    return user


def _lock_count() -> int:
    from app.models import LoginLock

    db.session.expire_all()
    return db.session.execute(db.select(db.func.count(LoginLock.id))).scalar_one()


def test_list_action_without_token_is_refused(admin_client):
    user = _locked_user()
    admin_client.post("/admin/usuarios/action/", data={"action": "unlock", "rowid": [str(user.id)]})
    assert _lock_count() == 1


def test_list_action_with_token_runs(admin_client):
    user = _locked_user()
    token = csrf_from(admin_client.get("/admin/usuarios/").get_data(as_text=True))
    admin_client.post("/admin/usuarios/action/", data={"action": "unlock", "rowid": [str(user.id)], "csrf_token": token})
    assert _lock_count() == 0
