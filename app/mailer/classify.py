"""What an SMTP refusal means for Preventivo, decided by a table (docs/smtp-replies.md).

Providers do not follow the 4xx/5xx split for quotas, and some refuse at AUTH,
so the text matters as much as the code. The first matching row wins.

Kinds:
- QUOTA: the service is exhausted for the month (rotate; the recipient keeps its attempts)
- BROKEN: the service cannot send at all (bad credentials, TLS, sender refused...; rotate, alert)
- UNREACHABLE: the service did not answer (connection refused, DNS, timeout, no greeting, dropped
  before sending); counted toward "sem conexão" (app.mailer.health); the recipient keeps its attempts
- RATE: the relay limits how fast we send ("too much mail", "rate", "throttled", "try again later"):
  the session stops, the service backs off (app.mailer.throttle); the recipient keeps its attempts
- RECIPIENT: this message/address is refused for good (fail this delivery, no retry, no rotation)
- TRANSIENT: try again later with backoff (other 4xx, a connection lost mid-message)

`describe` words a refusal for the admins: Portuguese first, the server's own reply in
brackets ("O servidor recusou por limite diário de envios [452 4.5.3 Daily message limit
exceeded]"). Faults without a reply are worded by the transport, which knows the host and port.
"""
from __future__ import annotations

import re

from flask import current_app, has_app_context

import config

QUOTA = "quota"
RATE = "rate"
BROKEN = "broken"
UNREACHABLE = "unreachable"
RECIPIENT = "recipient"
TRANSIENT = "transient"

CONNECT, AUTH, MAIL, RCPT, DATA = "connect", "auth", "mail", "rcpt", "data"
STAGES = (CONNECT, AUTH, MAIL, RCPT, DATA)
STAGE_LABELS = {CONNECT: "conexão", AUTH: "autenticação", MAIL: "MAIL FROM", RCPT: "RCPT TO", DATA: "DATA"}

# Rate limiting ("sending rate exceeded", "throttled", Postfix's "too much mail from …") is the service's,
# not the recipient's, unless the text also names a quota ("Throttling failure: Daily message quota exceeded").
# "Try again later" alone is a rate reply only before any message (connect, AUTH, MAIL): at DATA it is
# any passing trouble of the server.
RATE_PATTERN = re.compile(r"\brate\b|throttl|too much mail|too many (?:messages|mails|connections)", re.I)
LATER_PATTERN = re.compile(r"try again later", re.I)
STRONG_QUOTA_PATTERN = re.compile(r"quota|cota|credits|daily|di[aá]ri|monthly|mensal", re.I)
RECIPIENT_STATUS = re.compile(r"\b5\.1\.\d+\b")


class SmtpFault(Exception):
    """A refusal (or a lost connection: code None) at one stage of one SMTP conversation.

    `text` is the server's reply, or for a fault without a reply the transport's own wording
    (Portuguese first, the system's error in brackets). `str(fault)` is what admins read.
    """

    def __init__(self, stage: str, code: int | None, text: str):
        super().__init__(stage, code, text)
        self.stage, self.code, self.text = stage, code, text

    def __str__(self) -> str:
        return describe(self)


def _no_reply(stage, code, text, quota_re):
    return code is None


# TLS that cannot be set up is the service's configuration (wrong port or mode, a certificate nobody
# trusts), not a passing network fault: retrying the same service would fail the same way forever.
TLS_SETUP_FAILURE = re.compile(r"certificate verify failed|CERTIFICATE_VERIFY_FAILED|WRONG_VERSION_NUMBER|"
                               r"não oferece STARTTLS|SSLCertVerificationError|certificado TLS não confiável|"
                               r"falha ao negociar TLS", re.I)


def _tls_setup(stage, code, text, quota_re):
    return stage == CONNECT and code is None and bool(TLS_SETUP_FAILURE.search(text))


def _unreachable(stage, code, text, quota_re):
    # No reply while connecting or logging in: the server is away (or we knock on the wrong door).
    return stage in (CONNECT, AUTH) and code is None


def _rate(stage, code, text, quota_re):
    if code is None or code < 400 or STRONG_QUOTA_PATTERN.search(text):
        return False
    return bool(RATE_PATTERN.search(text)) or (stage in (CONNECT, AUTH, MAIL) and bool(LATER_PATTERN.search(text)))


def _quota(stage, code, text, quota_re):
    return code is not None and code >= 400 and bool(quota_re.search(text))


def _auth_failure(stage, code, text, quota_re):
    return code in (530, 534, 535, 538) or (stage == AUTH and code is not None and code >= 500)


def _recipient(stage, code, text, quota_re):
    if code is None or code < 500:
        return False
    if RECIPIENT_STATUS.search(text) and stage in (RCPT, DATA, MAIL):
        # 5.1.x is about an address; at MAIL it is the sender's (a service fault, next row).
        return stage != MAIL
    return stage == RCPT and code in (550, 551, 553)


def _service_refusal(stage, code, text, quota_re):
    # A permanent refusal at connect or MAIL FROM: this service cannot send (as this sender).
    return code is not None and code >= 500 and stage in (CONNECT, MAIL)


def _transient_4xx(stage, code, text, quota_re):
    return code is not None and 400 <= code < 500


def _permanent_message(stage, code, text, quota_re):
    # Any other 5xx (e.g. 554 at DATA: content refused) is final for this message.
    return code is not None and code >= 500


# (name, predicate, kind): read top to bottom, the first match decides.
RULES = [
    ("TLS cannot be set up (certificate, STARTTLS not offered, wrong mode)", _tls_setup, BROKEN),
    ("no reply while connecting (refused, DNS, timeout, no greeting)", _unreachable, UNREACHABLE),
    ("no reply (timeout, dropped connection)", _no_reply, TRANSIENT),
    ("rate limited", _rate, RATE),
    ("quota reply (QUOTA_REPLY_PATTERN)", _quota, QUOTA),
    ("authentication failure", _auth_failure, BROKEN),
    ("recipient refused", _recipient, RECIPIENT),
    ("service refused at connect/MAIL", _service_refusal, BROKEN),
    ("other 4xx", _transient_4xx, TRANSIENT),
    ("other 5xx", _permanent_message, RECIPIENT),
]

_compiled: dict[str, re.Pattern] = {}


def quota_regex(pattern: str | None = None) -> re.Pattern:
    if pattern is None:
        # Outside an app (benchmarks, scripts) the declared default applies.
        pattern = current_app.config["QUOTA_REPLY_PATTERN"] if has_app_context() else config.read("QUOTA_REPLY_PATTERN")
    regex = _compiled.get(pattern)
    if regex is None:
        regex = _compiled[pattern] = re.compile(pattern, re.I)
    return regex


def classify(stage: str, code: int | None, text: str, pattern: str | None = None) -> str:
    """The kind of a refusal at `stage` with reply `code` and `text` (code None: no reply)."""
    quota_re = quota_regex(pattern)
    text = text or ""
    for _name, predicate, kind in RULES:
        if predicate(stage, code, text, quota_re):
            return kind
    return TRANSIENT


def classify_fault(fault: SmtpFault, pattern: str | None = None) -> str:
    return classify(fault.stage, fault.code, fault.text, pattern)


# --- how a refusal reads to an admin ------------------------------------------------------------
DAILY = re.compile(r"daily|di[aá]ri|per day|24 ?h", re.I)
MONTHLY = re.compile(r"month|mensal", re.I)


def describe(fault: SmtpFault, pattern: str | None = None) -> str:
    """Portuguese first, the server's own reply in brackets."""
    if fault.code is None:
        return fault.text
    return f"{_phrase(fault, pattern)} [{fault.code} {fault.text}]".strip()


def _phrase(fault: SmtpFault, pattern: str | None) -> str:
    stage, code, text = fault.stage, fault.code, fault.text or ""
    kind = classify_fault(fault, pattern)
    if kind == QUOTA:
        period = "diário " if DAILY.search(text) else "mensal " if MONTHLY.search(text) else ""
        return f"O servidor recusou por limite {period}de envios"
    if kind == RATE:
        return "O servidor pediu para reduzir o ritmo de envio"
    if kind == BROKEN:
        if code == 530:
            return "O servidor exige autenticação (confira usuário e segurança)"
        if stage == AUTH or code in (534, 535, 538):
            return "O servidor recusou o usuário ou a senha"
        if stage == MAIL:
            return "O servidor recusou o remetente"
        return "O servidor recusou a conexão"
    if kind == RECIPIENT:
        if stage == RCPT or RECIPIENT_STATUS.search(text):
            return "O servidor recusou o destinatário (endereço inexistente ou inválido)"
        return "O servidor recusou a mensagem"
    return f"Falha temporária do servidor em {STAGE_LABELS.get(stage, stage)}; nova tentativa mais tarde"
