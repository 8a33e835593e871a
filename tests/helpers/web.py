"""Driving the panel as a person would: the CSRF token of a page, a login."""
from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.helpers.factories import DEFAULT_PASSWORD


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no csrf_token in page"
    return match.group(1)


def login(client, user, password=DEFAULT_PASSWORD):
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})


class Browser(FlaskClient):
    """A test client that behaves like a browser of its own: the test's requests share one app context,
    so what Flask-Login and Flask-WTF cache in `g` (the user, the CSRF token) is dropped before each request."""

    def open(self, *args, **kwargs):
        from flask import g

        for name in ("_login_user", "csrf_token"):
            g.pop(name, None)
        return super().open(*args, **kwargs)


def browser(app, address: str | None = None) -> Browser:
    client = Browser(app, app.response_class, use_cookies=True)
    if address:
        client.environ_base["REMOTE_ADDR"] = address
    return client


def client_for(app, user, password=DEFAULT_PASSWORD, address: str | None = None) -> Browser:
    """A new browser logged in as `user`."""
    client = browser(app, address)
    response = login(client, user, password)
    assert response.status_code == 302, f"login of {user.email} failed: {response.status_code}"
    return client


def page_token(client, path: str = "/admin/") -> str:
    """The CSRF token of a page this client sees."""
    return csrf_from(client.get(path).get_data(as_text=True))


def state_changing_campaign_routes(app) -> list:
    """Every route that can change a campaign: a non-GET method and a campaign_id in its path."""
    return sorted(
        (rule for rule in app.url_map.iter_rules()
         if "campaign_id" in rule.arguments and set(rule.methods or ()) - {"GET", "HEAD", "OPTIONS"}),
        key=lambda rule: rule.rule)
