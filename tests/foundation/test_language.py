"""The panel speaks pt-BR by default; English can be chosen."""


def test_panel_is_in_portuguese_by_default(admin_client):
    body = admin_client.get("/admin/servicos/").get_data(as_text=True)
    assert "Criar" in body and "Create" not in body


def test_english_can_be_chosen(admin_client):
    admin_client.get("/idioma/en")
    body = admin_client.get("/admin/servicos/").get_data(as_text=True)
    assert "Create" in body


def test_audit_trail_records_panel_changes(admin_client, db):
    from app.models import AuditEvent
    from tests.helpers.web import csrf_from

    token = csrf_from(admin_client.get("/admin/usuarios/new/").get_data(as_text=True))
    admin_client.post("/admin/usuarios/new/", data={"csrf_token": token, "email": "novo@p.test", "name": "Novo",
                                                    "role": "operator", "active": "y", "password": "senha-boa-123"})
    event = db.session.execute(db.select(AuditEvent).filter_by(action="user.create")).scalar_one()
    assert event.user.email == "admin@preventivo.test"
    assert "senha-boa-123" not in str(event.details)
