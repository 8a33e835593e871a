"""The application starts, serves the login page and reports its health."""


def test_login_page_is_in_portuguese(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert "Entrar" in page.get_data(as_text=True)


def test_healthz_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "redis": "ok"}


def test_admin_logs_in_and_sees_dashboard(admin_client):
    page = admin_client.get("/admin/")
    assert page.status_code == 200
    assert "Dashboard" in page.get_data(as_text=True)
