"""Form helpers shared by panel views."""
from __future__ import annotations

from wtforms import PasswordField


def write_only_password(label: str, description: str = "Deixe em branco para manter o valor atual.") -> PasswordField:
    """A password input that never renders its value (PasswordField does not echo data)."""
    return PasswordField(label, description=description, render_kw={"autocomplete": "new-password"})
