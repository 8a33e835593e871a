"""A password kept encrypted at rest (app.security.crypto) and write-only for forms: the SMTP services' and the
bounce mailboxes' passwords share this behaviour, so it is written once."""
from __future__ import annotations

from app.security.crypto import decrypt, encrypt


class EncryptedPassword:
    """Mixin for a model with a `password_encrypted` Text column."""

    password_encrypted: str | None

    def set_password(self, raw: str | None) -> None:
        self.password_encrypted = encrypt(raw) if raw else None

    @property
    def password(self) -> str | None:
        """The decrypted password, for logging in to the peer only. Never render it."""
        return decrypt(self.password_encrypted)

    @password.setter
    def password(self, raw: str | None) -> None:
        """Write-only: a blank value keeps the stored password (forms leave it blank on edit)."""
        if raw:
            self.set_password(raw)
