"""Who may open what: every panel page and every API route, for anonymous, operator and admin.

The matrix is read from the app itself (each view's allowed roles, each API
route's roles), so a page added later is covered without editing this file.
"""
import re

import pytest

from app.models.accounts import ROLE_ADMIN, ROLE_OPERATOR


def panel_pages(app):
    admin = app.extensions["admin"][0]
    pages = []
    for view in admin._views:
        roles = getattr(view, "allowed_roles", ())
        pages.append((view.url.rstrip("/") + "/", roles))
        if getattr(view, "can_create", False) and hasattr(view, "create_view"):
            pages.append((view.url.rstrip("/") + "/new/", roles))
    return pages


def api_routes(app):
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "_roles", None)
        path = re.sub(r"<int:[^>]+>", "999999", rule.rule)
        path = re.sub(r"<operation_code>", "CLARO", path)
        path = re.sub(r"<[^>]+>", "x", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, path, roles))
    return routes


def test_every_panel_page_sends_anonymous_to_login(app, client):
    for url, _ in panel_pages(app):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url


def test_operator_gets_pages_of_the_role_and_403_elsewhere(app, operator_client):
    for url, roles in panel_pages(app):
        expected = 200 if ROLE_OPERATOR in roles else 403
        assert operator_client.get(url).status_code == expected, url


def test_admin_opens_every_panel_page(app, admin_client):
    for url, _ in panel_pages(app):
        assert admin_client.get(url).status_code == 200, url


def test_operator_cannot_reach_services_page_by_url(operator_client):
    response = operator_client.get("/admin/servicos/")
    assert response.status_code == 403
    assert "permissão" in response.get_data(as_text=True)


def test_api_without_token_answers_401_json(app, client):
    for method, path, roles in api_routes(app):
        response = client.open(path, method=method)
        if roles is None:  # public: the OpenAPI document
            assert response.status_code == 200, path
            continue
        assert response.status_code == 401, (method, path)
        assert response.get_json()["error"]["code"] == "unauthorized"


def test_api_role_matrix(app, client, admin_headers, operator_headers):
    for method, path, roles in api_routes(app):
        if roles is None:
            continue
        as_operator = client.open(path, method=method, headers=operator_headers)
        as_admin = client.open(path, method=method, headers=admin_headers)
        if ROLE_OPERATOR in roles:
            assert as_operator.status_code not in (401, 403), (method, path)
        else:
            assert as_operator.status_code == 403, (method, path)
        assert ROLE_ADMIN in roles
        assert as_admin.status_code not in (401, 403), (method, path)


def test_api_rejects_an_unknown_token(client):
    response = client.get("/api/v1/services", headers={"Authorization": "Bearer nao-existe"})
    assert response.status_code == 401


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_login_never_redirects_off_site(app, client, admin_user, target):
    from tests.helpers.web import csrf_from

    page = client.get("/login", query_string={"next": target})
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/login", query_string={"next": target},
                           data={"email": admin_user.email, "password": "senha-segura-123", "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] in ("/admin/", "http://localhost/admin/")


def test_login_follows_a_local_next(app, client, admin_user):
    from tests.helpers.web import csrf_from

    page = client.get("/login?next=/admin/servicos/")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/login?next=/admin/servicos/",
                           data={"email": admin_user.email, "password": "senha-segura-123", "csrf_token": token})
    assert response.headers["Location"].endswith("/admin/servicos/")
