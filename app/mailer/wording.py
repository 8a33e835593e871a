"""How the email words names and dates: title case with Portuguese particles, due dates that agree in number."""
from __future__ import annotations

from datetime import date

PARTICLES = frozenset({"da", "das", "de", "des", "do", "dos", "e", "di", "du", "del", "van", "von"})


def _capital(word: str) -> str:
    # "d'ávila" -> "D'Ávila", "maria-josé" -> "Maria-José"
    for mark in ("-", "'", "’"):
        if mark in word:
            return mark.join(_capital(part) for part in word.split(mark))
    return word[:1].upper() + word[1:]


def title_name(name: str | None) -> str:
    """'JOÃO DA CONCEIÇÃO' -> 'João da Conceição' (particles lower-case, except as the first word)."""
    words = (name or "").split()
    out = []
    for i, word in enumerate(words):
        lower = word.lower()
        out.append(lower if i and lower in PARTICLES else _capital(lower))
    return " ".join(out)


def due_dates_phrase(dues: list[date]) -> str:
    """[30/11/2026, 07/12/2026] -> '30/11 e 07/12/2026'; the year once when all share it, else every date whole."""
    days = sorted(set(dues))
    if not days:
        return ""
    same_year = len({d.year for d in days}) == 1
    parts = [d.strftime("%d/%m") if same_year else d.strftime("%d/%m/%Y") for d in days]
    if same_year:
        parts[-1] = days[-1].strftime("%d/%m/%Y")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " e " + parts[-1]
