"""CPF masking: operators see ***.456.789-**, never the whole number."""
from __future__ import annotations

import re

_DIGITS = re.compile(r"\D")


def mask_cpf(cpf: str | None) -> str:
    digits = _DIGITS.sub("", cpf or "")
    if len(digits) != 11:
        # Not a CPF we can format: hide all but the middle to be safe.
        return "***" if digits else ""
    return f"***.{digits[3:6]}.{digits[6:9]}-**"


def format_cpf(cpf: str | None) -> str:
    digits = _DIGITS.sub("", cpf or "")
    if len(digits) != 11:
        return cpf or ""
    return f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"


def cpf_for(user, cpf: str | None) -> str:
    """The CPF as this user may see it: whole for admins, masked for everyone else."""
    if user is not None and getattr(user, "is_admin", False):
        return format_cpf(cpf)
    return mask_cpf(cpf)


_CPF_IN_TEXT = re.compile(r"(?<!\d)(\d{3})[.\s]?(\d{3})[.\s]?(\d{3})[-.\s/]?(\d{2})(?!\d)")


def mask_cpfs_in_text(text: str) -> str:
    """Mask anything that looks like a CPF inside free text (log lines, errors)."""
    return _CPF_IN_TEXT.sub(lambda m: f"***.{m.group(2)}.{m.group(3)}-**", text)
