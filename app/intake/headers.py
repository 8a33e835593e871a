"""Header matching: names compared without case, accents or punctuation."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

EMAIL_HEADERS = {"EMAIL", "EMAILS", *(f"EMAIL{n}" for n in range(1, 11))}


def normalize_header(value) -> str:
    text = unicodedata.normalize("NFKD", str(value or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^A-Z0-9]", "", text.upper())


@dataclass
class Columns:
    cpf: int | None = None
    emails: list[int] = field(default_factory=list)
    name: int | None = None
    titles: dict[int, str] = field(default_factory=dict)  # index -> header as written

    @property
    def complete(self) -> bool:
        return self.cpf is not None and bool(self.emails)

    def title(self, index: int | None, fallback: str) -> str:
        if index is None:
            return fallback
        return (self.titles.get(index) or fallback)[:60]


def match_columns(header_row) -> Columns:
    columns = Columns()
    for index, value in enumerate(header_row):
        key = normalize_header(value)
        columns.titles[index] = str(value).strip() if value is not None else ""
        if key == "CPF" and columns.cpf is None:
            columns.cpf = index
        elif key in EMAIL_HEADERS:
            columns.emails.append(index)
        elif key == "NOME" and columns.name is None:
            columns.name = index
    return columns
