"""Jinja filters and globals used by every page."""
from __future__ import annotations

from decimal import Decimal

from flask import request
from flask_login import current_user
from flask_talisman import Talisman
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from app.security.masking import cpf_for, mask_cpf
from app.timeutil import fmt_date, fmt_datetime


def brl(value) -> str:
    """1234.5 -> 'R$ 1.234,50'."""
    if value is None:
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    whole = f"{int(whole):,}".replace(",", ".")
    return f"{sign}R$ {whole},{cents}"


def number(value) -> str:
    """12345 -> '12.345'."""
    return f"{int(value or 0):,}".replace(",", ".")


def register_template_helpers(app) -> None:
    app.jinja_env.filters.update(
        datetime_br=fmt_datetime,
        date_br=fmt_date,
        brl=brl,
        number=number,
        mask_cpf=mask_cpf,
        cpf_for_user=lambda cpf: cpf_for(current_user, cpf),
    )


MAX_ID = 2**31 - 1  # every id column is an INTEGER (models use Integer primary keys)
MAX_PAGE = 100_000  # a page number past this is past any list's end


def bounded_int(text, *, low: int = 1, high: int = MAX_ID, default=None, clamp: bool = False):
    """An integer query or form parameter, bounded (a huge one overflows SQL: a 500).

    ASCII digits only (an optional '-'); outside [low, high] it is `default`, or the nearest bound with `clamp`.
    """
    raw = str(text if text is not None else "").strip()
    digits = raw[1:] if raw.startswith("-") else raw
    if not digits or not digits.isascii() or not digits.isdigit() or len(digits) > 30:
        return default
    value = int(raw)
    if low <= value <= high:
        return value
    return (low if value < low else high) if clamp else default


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` that matches only what an id column can hold (INTEGER: 2**31-1 on PostgreSQL).

    Werkzeug's converter accepts any length of digits; an id past the column's
    range then overflows in the database driver (a 500). Out of range is simply not found.
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound()  # not "no such route" (werkzeug would answer 405 for another method): no such id
        return number


# --- security headers ------------------------------------------------------------------------
# No inline script anywhere: scripts come from our own static files (app/static) or carry the
# request's nonce (Flask-Admin's few tags). Inline styles stay allowed (style attributes, the SVG chart).
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
HSTS_SECONDS = 365 * 24 * 3600


def init_security_headers(app) -> None:
    """CSP, frame-ancestors 'none' (and X-Frame-Options), nosniff, Referrer-Policy same-origin, HSTS in
    production (over HTTPS), and `Cache-Control: no-store` on everything but static files."""
    production = app.config["PREVENTIVO_ENV"] == "production"
    # One Talisman per app (it keeps its options on itself): tests build apps of both kinds in one process.
    app.extensions["talisman"] = Talisman(
        app,
        force_https=False,  # TLS ends at the platform's router; HSTS tells browsers to stay on HTTPS
        strict_transport_security=production,
        strict_transport_security_max_age=HSTS_SECONDS,
        strict_transport_security_include_subdomains=False,
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src"],
        frame_options="DENY",
        referrer_policy="same-origin",
        session_cookie_secure=production,
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        x_content_type_options=True,
    )
    app.after_request(_no_store)


def csp_nonce() -> str:
    """The request's CSP nonce (Flask-Admin puts it on its script tags)."""
    return getattr(request, "csp_nonce", "")


def _no_store(response):
    # Pages, exports and API answers carry personal data (CPFs, emails, boletos): no cache may keep them.
    # Static files (CSS, JS, Flask-Admin's assets) carry none and may be cached.
    if not (request.endpoint or "").endswith("static"):
        response.headers["Cache-Control"] = "no-store"
    return response
