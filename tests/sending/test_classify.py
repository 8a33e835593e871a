"""The reply classifier, reply by reply (docs/smtp-replies.md) and stage by stage."""
import pytest

from app.mailer.classify import (
    AUTH,
    BROKEN,
    CONNECT,
    DATA,
    MAIL,
    QUOTA,
    RATE,
    RCPT,
    RECIPIENT,
    TRANSIENT,
    UNREACHABLE,
    classify,
)

CASES = [
    # (stage, code, text, expected)
    (DATA, 454, "Throttling failure: Daily message quota exceeded", QUOTA),
    (DATA, 454, "Throttling failure: Maximum sending rate exceeded", RATE),
    (MAIL, 550, "5.4.5 Daily user sending quota exceeded", QUOTA),
    (RCPT, 550, "5.4.5 Daily user sending quota exceeded", QUOTA),
    (MAIL, 421, "4.7.0 Try again later, temporarily rate limited", RATE),
    (AUTH, 451, "Authentication failed: Maximum credits exceeded", QUOTA),
    (MAIL, 451, "You've exceeded your messaging limits", QUOTA),
    (MAIL, 421, "Domain x.com is not allowed to send: request limit exceeded, try again after 60s", QUOTA),
    (MAIL, 450, "Your account reached its email quota limit #MS42204", QUOTA),
    (RCPT, 452, "4.5.3 Daily message limit exceeded", QUOTA),
    (DATA, 552, "Message would take you over your relay quota of 500", QUOTA),
    (MAIL, 452, "Sender is throttled", RATE),
    (MAIL, 421, "throttle delay", RATE),
    (MAIL, 450, "4.7.1 Error: too much mail from 127.0.0.1", RATE),
    (CONNECT, 421, "4.7.0 Too many connections, try again later", RATE),
    (MAIL, 451, "4.7.1 Service unavailable, try again later", RATE),
    (DATA, 451, "4.3.0 Temporary local problem, try again later", TRANSIENT),
    (AUTH, 535, "5.7.8 Authentication credentials invalid", BROKEN),
    (MAIL, 530, "5.7.0 Authentication required", BROKEN),
    (RCPT, 550, "5.1.1 Mailbox unavailable", RECIPIENT),
    (RCPT, 553, "5.1.3 Bad recipient address syntax", RECIPIENT),
    (RCPT, 451, "4.3.0 Temporary failure", TRANSIENT),
    (DATA, 451, "4.3.0 Temporary failure", TRANSIENT),
    (CONNECT, 421, "Service not available", TRANSIENT),
    (CONNECT, None, "127.0.0.1:2525 não respondeu em 10 s [TimeoutError: timed out]", UNREACHABLE),
    (CONNECT, None, "o servidor não enviou a saudação SMTP: confira a porta e a segurança (465 costuma ser SSL)",
     UNREACHABLE),
    (AUTH, None, "a conexão com 127.0.0.1:2525 caiu durante a autenticação [SMTPServerDisconnected]", UNREACHABLE),
    (CONNECT, None, "SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", BROKEN),
    (CONNECT, None, "SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number", BROKEN),
    (CONNECT, None, "certificado TLS não confiável (self-signed certificate): confira o host", BROKEN),
    (CONNECT, None, "falha ao negociar TLS: confira a porta e a segurança", BROKEN),
    (CONNECT, None, "o servidor não oferece STARTTLS: STARTTLS extension not supported by server.", BROKEN),
    (CONNECT, None, "conexão recusada por 127.0.0.1:2525 [ConnectionRefusedError: [Errno 111] Connection refused]",
     UNREACHABLE),
    (DATA, None, "SMTPServerDisconnected: Connection unexpectedly closed", TRANSIENT),
    (MAIL, 553, "5.7.1 Sender address rejected: not owned by user", BROKEN),
    (CONNECT, 554, "No SMTP service here", BROKEN),
    (DATA, 554, "5.7.1 Message rejected as spam", RECIPIENT),
    (MAIL, 452, "Limite de envios diário excedido", QUOTA),
    (DATA, 550, "Cota de envio esgotada", QUOTA),
]


@pytest.mark.parametrize("stage,code,text,expected", CASES)
def test_reply_is_classified(stage, code, text, expected):
    assert classify(stage, code, text, r"quota|limit|limite|cota|credits|exceed|excedid|esgotad|5\.4\.5") == expected


def test_the_quota_pattern_is_configurable():
    assert classify(MAIL, 550, "Locaweb: plano sem saldo", r"sem saldo") == QUOTA
    assert classify(MAIL, 550, "Locaweb: plano sem saldo", r"quota") == BROKEN
