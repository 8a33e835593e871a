"""Bearer-token authentication and role checks for /api/v1."""
from __future__ import annotations

from functools import wraps

from flask import g, request

from app.extensions import db
from app.models import ApiToken
from app.models.accounts import ROLE_ADMIN, ROLES, hash_token
from app.timeutil import now_utc

from .errors import ApiError


def _token_user():
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    now = now_utc()
    # Looked up on every request, never cached: a revoked or expired token is refused at once.
    token = db.session.execute(
        db.select(ApiToken).where(ApiToken.token_hash == hash_token(raw.strip()))
    ).scalar_one_or_none()
    if token is None or not token.usable_at(now) or not token.user.active:
        return None
    token.last_used_at = now
    db.session.commit()
    return token.user


def require_role(*roles: str):
    """Decorator: a valid bearer token whose user has one of `roles` (default: any role)."""
    allowed = roles or ROLES

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = _token_user()
            if user is None:
                raise ApiError(401, "Token ausente ou inválido. Use 'Authorization: Bearer <token>'.")
            if user.role not in allowed:
                raise ApiError(403, "Seu perfil não tem acesso a este recurso.")
            g.api_user = user
            return view(*args, **kwargs)

        wrapper._roles = allowed  # read by the OpenAPI document and the access-matrix test
        return wrapper

    return decorator


admin_only = require_role(ROLE_ADMIN)
any_user = require_role()
