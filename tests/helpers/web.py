"""Driving the panel as a person would: the CSRF token of a page, a login."""
from __future__ import annotations

import re

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
