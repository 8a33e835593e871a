"""Bounce messages as relays write them (and an auto-reply that is not one), for the bounce tests.

`original` is the Message-ID of the message that bounced (what Preventivo stored on the delivery); None
leaves it out, so the bounce is matched by recipient.
"""
from __future__ import annotations

import uuid

SENDER = "bounces@preventivo.test"


def _returned(original: str | None, recipient: str) -> str:
    mid = f"Message-ID: {original}\n" if original else ""
    return (f"From: Claro <boletos@claro.exemplo.com.br>\nTo: {recipient}\nSubject: Seus boletos\n{mid}"
            "Date: Mon, 30 Nov 2026 10:00:00 -0300\n")


def _id() -> str:
    return f"<{uuid.uuid4().hex}@mx.exemplo.net>"


def dsn(recipient: str, original: str | None, status: str = "5.1.1", action: str = "failed",
        diagnostic: str = "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown") -> bytes:
    """A standard delivery status notification (RFC 3464): multipart/report, message/delivery-status and the
    returned headers (text/rfc822-headers)."""
    diag = diagnostic.format(rcpt=recipient)
    return f"""\
From: Mail Delivery System <MAILER-DAEMON@mx.exemplo.net>
To: {SENDER}
Subject: Undelivered Mail Returned to Sender
Message-ID: {_id()}
Date: Mon, 30 Nov 2026 10:05:00 -0300
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.exemplo.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{recipient}>: {diag}

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.exemplo.net
Arrival-Date: Mon, 30 Nov 2026 10:00:01 -0300

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822; {recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {diag}

--BOUNDARY
Content-Type: text/rfc822-headers

{_returned(original, recipient)}
--BOUNDARY--
""".encode()


def soft_dsn(recipient: str, original: str | None) -> bytes:
    """A mailbox full: 4.2.2, the relay still trying (Action: delayed)."""
    return dsn(recipient, original, status="4.2.2", action="delayed",
               diagnostic="452 4.2.2 <{rcpt}>: Mailbox full, try again later")


def postfix(recipient: str, original: str | None) -> bytes:
    """Postfix's older, non-DSN bounce: a "Notification" text part and the undelivered message."""
    return f"""\
From: MAILER-DAEMON@mail.exemplo.org (Mail Delivery System)
To: {SENDER}
Subject: Undelivered Mail Returned to Sender
Message-ID: {_id()}
Date: Mon, 30 Nov 2026 11:00:00 -0300
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="PFX"

--PFX
Content-Description: Notification
Content-Type: text/plain

This is the Postfix program at host mail.exemplo.org.

I'm sorry to have to inform you that the message returned
below could not be delivered to one or more destinations.

                        The Postfix program

<{recipient}>: host mx.exemplo.org[10.0.0.1] said: 550 5.1.1
    <{recipient}>... User unknown (in reply to RCPT TO command)

--PFX
Content-Description: Undelivered Message
Content-Type: message/rfc822

{_returned(original, recipient)}
Olá, seus boletos.

--PFX--
""".encode()


def exim(recipient: str, original: str | None) -> bytes:
    """Exim's bounce: X-Failed-Recipients and the returned message inline in the text."""
    return f"""\
From: Mail Delivery System <Mailer-Daemon@smtp.exemplo.com>
To: {SENDER}
Subject: Mail delivery failed: returning message to sender
Message-ID: {_id()}
X-Failed-Recipients: {recipient}
Auto-Submitted: auto-replied
Date: Mon, 30 Nov 2026 12:00:00 -0300
Content-Type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  {recipient}
    SMTP error from remote mail server after RCPT TO:<{recipient}>:
    550 5.1.1 No such user here

------ This is a copy of the message, including all the headers. ------

Return-path: <{SENDER}>
{_returned(original, recipient)}
Olá, seus boletos.
""".encode()


def auto_reply(sender: str, original: str | None) -> bytes:
    """An out-of-office answer: not a bounce, it stays where it is."""
    ref = f"In-Reply-To: {original}\nReferences: {original}\n" if original else ""
    return f"""\
From: {sender}
To: {SENDER}
Subject: Resposta automática: Seus boletos
Message-ID: {_id()}
{ref}Auto-Submitted: auto-replied
Date: Mon, 30 Nov 2026 13:00:00 -0300
Content-Type: text/plain; charset=utf-8

Estou de férias até 10/12 e sem acesso ao e-mail. Retorno assim que possível.
""".encode()
