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


def test_the_english_detector_sees_flask_admins_english():
    from tests.helpers.language import english_in

    assert english_in("20 items · Save and Continue Editing · Delete") == ["Continue", "Delete", "Editing", "Save", "and",
                                                                           "items"]
    assert english_in("Enviar e-mail por SMTP com o PDF do boleto e o PIX pela API") == []


def _panel_pages(app):
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if rule.rule.startswith("/admin/") and "<" not in rule.rule and "GET" in rule.methods
                   and "ajax" not in rule.rule and not rule.rule.endswith((".json", ".xlsx", ".csv"))})


def test_no_english_word_on_any_panel_page(app, seeded, admin_client):
    from tests.helpers.language import english_in, visible_text

    found = {}
    for url in _panel_pages(app):
        response = admin_client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            words = english_in(visible_text(response.get_data(as_text=True)))
            if words:
                found[url] = words
    assert found == {}


def test_the_page_size_menu_speaks_portuguese(seeded, admin_client):
    body = admin_client.get("/admin/usuarios/").get_data(as_text=True)
    assert "20 itens por página" in body and "items" not in body
