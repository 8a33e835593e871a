"""A bearer token goes only to the origin (scheme, host, port) it was given for.

A creditor's token is configured with its API's URL. Whatever a provider answers
(an absolute `pdf_url` on another host, a redirect), the token must never reach
another origin: `OriginBearerAuth` adds the Authorization header only to requests
for that origin, and `same_origin` lets callers refuse other URLs before asking.
"""
from __future__ import annotations

import httpx

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str | httpx.URL) -> tuple[str, str, int | None]:
    parsed = httpx.URL(url) if not isinstance(url, httpx.URL) else url
    scheme = parsed.scheme.lower()
    return scheme, (parsed.host or "").lower(), parsed.port or DEFAULT_PORTS.get(scheme)


def same_origin(url: str | httpx.URL, base: str | httpx.URL) -> bool:
    try:
        target, home = origin_of(url), origin_of(base)
    except (httpx.InvalidURL, TypeError, ValueError):
        return False
    return bool(home[1]) and target == home


def describe_origin(url: str | httpx.URL) -> str:
    """'host:port' of a URL, for a note a person reads (never the path: it may carry identifiers)."""
    try:
        scheme, host, port = origin_of(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return "endereço inválido"
    return f"{scheme}://{host}:{port}" if host else "endereço inválido"


class OriginBearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>` on requests to `base_url`'s origin only."""

    def __init__(self, token: str | None, base_url: str | None):
        self.token = token or ""
        self.base_url = base_url or ""

    def auth_flow(self, request: httpx.Request):
        if self.token and self.base_url and same_origin(request.url, self.base_url):
            request.headers["Authorization"] = f"Bearer {self.token}"
        else:
            request.headers.pop("Authorization", None)
        yield request
