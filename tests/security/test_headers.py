"""Security headers on pages, exports and API answers; no inline script for the CSP to forbid."""
import re

import pytest

from tests.helpers.report_factories import campaign_with_every_outcome


def _csp(response) -> dict[str, str]:
    policy = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


@pytest.fixture
def answers(seeded, admin_client, admin_headers):
    campaign = campaign_with_every_outcome()
    return {
        "panel page": admin_client.get("/admin/"),
        "export": admin_client.get(f"/admin/campanhas/{campaign.id}/exportar.xlsx"),
        "API answer": admin_client.get("/api/v1/campaigns", headers=admin_headers),
        "login page": admin_client.get("/login"),
    }


def test_every_answer_has_a_csp_without_inline_script(answers):
    for name, response in answers.items():
        csp = _csp(response)
        assert "'unsafe-inline'" not in csp.get("script-src", "missing"), name
        assert csp["frame-ancestors"] == "frame-ancestors 'none'", name


def test_every_answer_refuses_sniffing_framing_and_foreign_referrers(answers):
    for name, response in answers.items():
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["Referrer-Policy"] == "same-origin", name
        assert response.headers["X-Frame-Options"] == "DENY", name


def test_no_cache_keeps_pages_exports_or_api_answers(answers):
    for name, response in answers.items():
        assert response.status_code in (200, 302), name
        assert response.headers["Cache-Control"] == "no-store", name


def test_static_files_may_be_cached(client):
    response = client.get("/static/preventivo.js")
    assert response.status_code == 200 and "no-store" not in response.headers.get("Cache-Control", "")


def test_no_hsts_in_development(client):
    assert "Strict-Transport-Security" not in client.get("/login", base_url="https://localhost").headers


def test_hsts_in_production_over_https(test_db, test_redis):
    from tests.helpers.apps import make_app

    production = make_app(test_db, test_redis, PREVENTIVO_ENV="production")
    response = production.test_client().get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL_ACTION = re.compile(r"<(?:form|iframe)[^>]+(?:action|src)=\"javascript:", re.I)


def test_no_template_has_inline_script_or_event_handlers():
    from pathlib import Path

    import app

    for path in (Path(app.__file__).parent / "templates").rglob("*.html"):
        text = path.read_text()
        assert not INLINE_SCRIPT.search(text), f"{path}: inline <script>"
        assert not INLINE_HANDLER.search(text), f"{path}: inline event handler"


def test_no_panel_page_has_inline_script(seeded, admin_client):
    """Every page without parameters, as an admin sees it (Flask-Admin's own templates included)."""
    from flask import current_app

    campaign_with_every_outcome()
    pages = sorted(rule.rule for rule in current_app.url_map.iter_rules()
                   if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith("/api/")
                   and not rule.endpoint.endswith("static") and "logout" not in rule.rule)
    pages += ["/admin/campanhas/1", "/admin/usuarios/new/", "/admin/servicos/new/", "/admin/tipos-de-campanha/new/"]
    checked = 0
    for page in pages:
        response = admin_client.get(page)
        if response.status_code != 200 or not response.mimetype.startswith("text/html"):
            continue
        html = response.get_data(as_text=True)
        assert not INLINE_SCRIPT.search(html), f"{page}: inline <script>"
        assert not INLINE_HANDLER.search(html), f"{page}: inline event handler"
        assert not JAVASCRIPT_URL_ACTION.search(html), page
        checked += 1
    assert checked >= 15
