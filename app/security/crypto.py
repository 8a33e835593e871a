"""Secrets at rest: MultiFernet over ENCRYPTION_KEYS (first key encrypts, all decrypt)."""
from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class SecretUnreadable(RuntimeError):
    """A stored secret cannot be decrypted with any configured key."""


def _fernet() -> MultiFernet:
    keys = current_app.config["ENCRYPTION_KEYS"]
    if not keys:
        raise RuntimeError("ENCRYPTION_KEYS is empty")
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def encrypt(raw: str) -> str:
    return _fernet().encrypt(raw.encode()).decode()


def decrypt(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("a stored secret cannot be decrypted with ENCRYPTION_KEYS") from exc


def rotate(token: str | None) -> str | None:
    """Re-encrypt with the first key; a no-op for empty values."""
    if not token:
        return token
    return _fernet().rotate(token.encode()).decode()
