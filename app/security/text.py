"""Control characters have no place in a name: CR/LF in a name that reaches an email header is an injection."""
from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
CONTROL_MESSAGE = "Use apenas texto, sem quebras de linha nem caracteres de controle."


def has_control_characters(text: str | None) -> bool:
    return bool(text) and CONTROL.search(text) is not None


def without_control_characters(text: str | None) -> str:
    """Each control character (line breaks included) becomes a space."""
    return CONTROL.sub(" ", text or "")
