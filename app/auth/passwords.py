"""The password policy: at least 10 characters and hard to guess (zxcvbn score 3 or more).

zxcvbn judges a password by what a guesser would try first: common passwords, keyboard
runs, dates, repeats, and the words it is given as context. Its dictionaries are English,
so the context adds the Portuguese words a guesser of this product would try, plus the
user's own name and e-mail.
"""
from __future__ import annotations

import re

from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 128  # long enough for any passphrase; zxcvbn's time grows with length
MIN_SCORE = 3
PRODUCT_WORDS = (
    "preventivo", "senha", "minhasenha", "novasenha", "acesso", "entrar", "admin", "administrador", "operador",
    "usuario", "boleto", "boletos", "campanha", "cobranca", "acordo", "claro", "net", "semparar", "brasil",
)

TOO_SHORT = f"A senha precisa de ao menos {MIN_LENGTH} caracteres."
TOO_LONG = f"A senha pode ter no máximo {MAX_LENGTH} caracteres."
TOO_WEAK = ("Senha fácil de adivinhar: evite senhas comuns, sequências, datas e partes do seu nome ou e-mail. "
            "Use uma frase de quatro ou mais palavras, ou misture palavras, números e símbolos.")


def context_words(name: str | None, email: str | None) -> list[str]:
    """The user's own words: the name (whole, joined and in parts), the e-mail, its local part and pieces."""
    words: list[str] = list(PRODUCT_WORDS)
    name, email = (name or "").strip().lower(), (email or "").strip().lower()
    for text in (name, name.replace(" ", ""), email, email.partition("@")[0]):
        text = text.strip().lower()
        if text:
            words.append(text)
            words.extend(part for part in re.split(r"[^\w]+", text) if len(part) >= 3)
    return words


def password_problem(password: str | None, *, name: str | None = None, email: str | None = None) -> str | None:
    """None when the password is acceptable; else the pt-BR reason."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    if zxcvbn(password, user_inputs=context_words(name, email))["score"] < MIN_SCORE:
        return TOO_WEAK
    return None
