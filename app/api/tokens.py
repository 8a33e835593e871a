"""API tokens: find one by its prefix, revoke it, tell its state (CLI and the panel's "Tokens da API")."""
from __future__ import annotations

from datetime import datetime

from app import audit
from app.extensions import db
from app.models import ApiToken
from app.models.accounts import hash_token
from app.timeutil import now_utc

ACTIVE, REVOKED, EXPIRED = "active", "revoked", "expired"
STATE_LABELS = {ACTIVE: "Ativo", REVOKED: "Revogado", EXPIRED: "Expirado"}


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    now = now or now_utc()
    if token.revoked_at is not None:
        return REVOKED
    if token.expires_at is not None and token.expires_at <= now:
        return EXPIRED
    return ACTIVE


def find_token(prefix_or_token: str) -> ApiToken:
    """The one token with this prefix (or this whole raw token). LookupError: none, or several."""
    text = (prefix_or_token or "").strip()
    if not text:
        raise LookupError("give a token prefix")
    whole = db.session.execute(db.select(ApiToken).where(ApiToken.token_hash == hash_token(text))).scalar_one_or_none()
    if whole is not None:
        return whole
    matches = db.session.execute(db.select(ApiToken).where(ApiToken.prefix == text[:12])).scalars().all()
    matches = [t for t in matches if text.startswith(t.prefix)]
    if not matches:
        raise LookupError(f"no API token with prefix {text!r}")
    if len(matches) > 1:
        raise LookupError(f"{len(matches)} tokens share the prefix {text!r}: revoke with the whole token")
    return matches[0]


def revoke(token: ApiToken, user=None) -> bool:
    """Revoke (the caller commits). False when it was already revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now_utc()
    audit.record("api_token.revoke", target=token, user=user, details={"prefix": token.prefix})
    return True
