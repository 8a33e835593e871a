"""SMTP passwords and provider tokens: encrypted at rest, write-only, never shown."""
from sqlalchemy import text

from app.extensions import db
from app.models import EmailService, Operation
from tests.helpers.web import csrf_from

SECRET = "Senha-Muito-Secreta-4821"


def create_service_through_form(admin_client, password=SECRET):
    token = csrf_from(admin_client.get("/admin/servicos/new/").get_data(as_text=True))
    admin_client.post("/admin/servicos/new/", data={
        "csrf_token": token, "name": "SERVICO_2", "host": "smtp.exemplo.com.br", "port": "587",
        "security": "starttls", "username": "conta", "password": password, "monthly_quota": "500",
        "rotation_order": "2", "in_rotation": "y", "active": "y", "allowed_senders": "",
    })
    return db.session.execute(db.select(EmailService).filter_by(name="SERVICO_2")).scalar_one()


def test_password_is_encrypted_in_the_database(admin_client):
    service = create_service_through_form(admin_client)
    raw = db.session.execute(text("SELECT password_encrypted FROM email_services WHERE id = :id"), {"id": service.id}).scalar()
    assert raw and SECRET not in raw
    assert service.password == SECRET


def test_password_never_appears_in_pages(admin_client):
    service = create_service_through_form(admin_client)
    for url in ("/admin/servicos/", f"/admin/servicos/edit/?id={service.id}", "/admin/"):
        assert SECRET not in admin_client.get(url).get_data(as_text=True), url


def test_blank_password_on_edit_keeps_the_old_one(admin_client):
    service = create_service_through_form(admin_client)
    page = admin_client.get(f"/admin/servicos/edit/?id={service.id}").get_data(as_text=True)
    admin_client.post(f"/admin/servicos/edit/?id={service.id}", data={
        "csrf_token": csrf_from(page), "name": "SERVICO_2", "host": "smtp2.exemplo.com.br", "port": "587",
        "security": "starttls", "username": "conta", "password": "", "monthly_quota": "500",
        "rotation_order": "2", "in_rotation": "y", "active": "y", "allowed_senders": "",
    })
    db.session.expire_all()
    service = db.session.get(EmailService, service.id)
    assert service.host == "smtp2.exemplo.com.br"
    assert service.password == SECRET


def test_password_never_appears_in_api_responses(client, admin_headers):
    created = client.post("/api/v1/services", headers=admin_headers, json={
        "name": "SERVICO_3", "host": "smtp.exemplo.com.br", "password": SECRET})
    assert created.status_code == 201
    service_id = created.get_json()["id"]
    bodies = [
        created.get_data(as_text=True),
        client.get("/api/v1/services", headers=admin_headers).get_data(as_text=True),
        client.get(f"/api/v1/services/{service_id}", headers=admin_headers).get_data(as_text=True),
        client.patch(f"/api/v1/services/{service_id}", headers=admin_headers, json={"password": SECRET + "2"}).get_data(as_text=True),
    ]
    for body in bodies:
        assert SECRET not in body
        assert "password" not in body


def test_provider_token_is_write_only(seeded, admin_client):
    op = db.session.execute(db.select(Operation).filter_by(code="NET")).scalar_one()
    page = admin_client.get(f"/admin/operacoes/edit/?id={op.id}").get_data(as_text=True)
    admin_client.post(f"/admin/operacoes/edit/?id={op.id}", data={
        "csrf_token": csrf_from(page), "code": "NET", "name": "NET", "provider_url": "http://127.0.0.1:9/",
        "provider_token": "tok-" + SECRET, "active": "y"})
    db.session.expire_all()
    op = db.session.get(Operation, op.id)
    assert op.effective_provider_token == "tok-" + SECRET
    assert SECRET not in (op.provider_token_encrypted or "")
    for url in ("/admin/operacoes/", f"/admin/operacoes/edit/?id={op.id}"):
        assert SECRET not in admin_client.get(url).get_data(as_text=True)


def test_environment_provider_settings_win_and_are_shown(app, seeded, admin_client):
    app.config["PROVIDERS"]["CLARO"] = {"url": "http://provedor.env/", "token": "env-token"}
    op = db.session.execute(db.select(Operation).filter_by(code="CLARO")).scalar_one()
    op.provider_url = "http://provedor.banco/"
    db.session.commit()
    assert op.effective_provider_url == "http://provedor.env/"
    assert op.effective_provider_token == "env-token"
    page = admin_client.get("/admin/operacoes/").get_data(as_text=True)
    assert "http://provedor.env/" in page and "ambiente" in page
    assert "env-token" not in page
