"""English a person can see: the words of Flask-Admin's English interface (its message catalog)
plus common UI words, minus those Portuguese shares, minus the allowed terms (names, protocols)."""
from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path

import flask_admin

# Names and technical terms that stay as they are in a pt-BR interface.
ALLOWED_TERMS = {
    "preventivo", "claro", "net", "sem", "parar", "smtp", "csv", "xlsx", "pdf", "pix", "api", "email", "emails",
    "e-mail", "e-mails", "ok", "url", "http", "https", "html", "json", "id", "cpf", "ip", "tls", "ssl", "starttls",
    "english", "português", "redis", "rq", "token", "tokens", "login", "status", "dashboard", "online", "link",
    "download", "sandbox", "mailpit", "gmail", "outlook", "microsoft", "google", "exemplo", "test",
}
# UI words Flask-Admin's catalog lacks but an English interface would show.
EXTRA_ENGLISH = {"items", "item", "per", "page", "next", "previous", "first", "last", "sign", "logout", "login",
                 "password", "settings", "loading", "true", "false", "none", "yes", "submit", "upload", "browse",
                 "choose", "file", "clear", "reset", "select", "all", "show", "hide", "more", "less", "help"}
_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'-]*")


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    catalog = Path(flask_admin.__file__).parent / "translations" / "pt_BR" / "LC_MESSAGES" / "admin.po"
    english, portuguese = set(), set()
    key = None
    for line in catalog.read_text(encoding="utf-8").splitlines():
        if line.startswith(("msgid ", "msgid_plural ")):
            key = english
        elif line.startswith("msgstr"):
            key = portuguese
        elif not line.startswith('"'):
            key = None
            continue
        if key is not None and '"' in line:
            text = line[line.index('"'):]
            key.update(w.lower() for w in _WORD.findall(re.sub(r"%\(\w+\)[sd]|\{\w*\}", " ", text)))
    # Words both languages write the same way ("a", "no", "data", "total"...) are not evidence of English.
    return frozenset((english | EXTRA_ENGLISH) - portuguese - ALLOWED_TERMS - {w for w in english if len(w) < 3})


def visible_text(page_html: str) -> str:
    """The text of an HTML page as a person reads it (no scripts, styles, tags or attributes). A textarea's
    content is what is being edited (a campaign type's HTML template), not the page's own words."""
    text = re.sub(r"(?is)<(script|style|noscript|textarea)\b.*?</\1>", " ", page_html)
    text = re.sub(r"(?s)<!--.*?-->", " ", text)
    text = re.sub(r'(?is)<(\w+)[^>]*class="d-none"[^>]*>[^<]*</\1>', " ", text)  # Flask-Admin's JSON data
    text = re.sub(r"(?s)<[^>]+>", " ", text)
    return html.unescape(text)


def english_in(text: str) -> list[str]:
    words = english_words()
    return sorted({w for w in _WORD.findall(text) if w.lower() in words})
