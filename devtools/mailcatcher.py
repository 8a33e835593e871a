"""The local mail catcher: an SMTP server on 127.0.0.1:1025 that stores what it receives.

Admins read the messages in the panel ("Emails capturados"). Any login is
accepted, so the demo services (SERVICO_1..6) can authenticate. For the demo
of quota rotation, `--quota USER=N` makes the catcher refuse USER's messages
past N this month with a real-world quota reply, as Locaweb or SES would.

    python -m devtools.mailcatcher --port 1025 --quota servico_2=20
"""
from __future__ import annotations

import argparse
import logging
import signal
import threading
from datetime import datetime, timezone
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

log = logging.getLogger("mailcatcher")
QUOTA_REPLY = "452 4.5.3 Daily message limit exceeded"


def _login_of(session) -> str | None:
    data = getattr(session, "auth_data", None)
    if isinstance(data, LoginPassword):
        return data.login.decode(errors="replace")
    if isinstance(data, (bytes, str)):
        return data.decode(errors="replace") if isinstance(data, bytes) else data
    return None


def accept_any_login(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=True, auth_data=auth_data)


class CatcherHandler:
    """Stores each message as a CapturedEmail row; enforces the demo quotas."""

    def __init__(self, app, quotas: dict[str, int] | None = None):
        self.app = app
        self.quotas = {k.lower(): v for k, v in (quotas or {}).items()}

    def _sent_this_month(self, login: str) -> int:
        from app.extensions import db
        from app.models import CapturedEmail
        from app.timeutil import local_tz

        now = datetime.now(local_tz())
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(timezone.utc)
        return db.session.execute(
            db.select(db.func.count(CapturedEmail.id)).where(
                CapturedEmail.auth_user == login, CapturedEmail.received_at >= month_start)
        ).scalar_one()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        login = (_login_of(session) or "").lower()
        if login in self.quotas:
            with self.app.app_context():
                if self._sent_this_month(login) >= self.quotas[login]:
                    log.info("refusing %s: demo quota of %s reached", login, self.quotas[login])
                    return QUOTA_REPLY
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from app.extensions import db
        from app.models import CapturedEmail

        raw = envelope.original_content or envelope.content
        message = message_from_bytes(raw, policy=policy.default)
        with self.app.app_context():
            db.session.add(CapturedEmail(
                mail_from=envelope.mail_from or "",
                rcpt_tos=", ".join(envelope.rcpt_tos),
                subject=str(message.get("Subject", ""))[:1000],
                message_id=str(message.get("Message-ID", "")).strip()[:255] or None,
                auth_user=_login_of(session),
                size=len(raw),
                raw=raw.decode("utf-8", errors="replace"),
            ))
            db.session.commit()
            db.session.remove()
        return "250 Message accepted for delivery"


def make_controller(app, host: str = "127.0.0.1", port: int = 1025, quotas: dict[str, int] | None = None) -> Controller:
    return Controller(
        CatcherHandler(app, quotas), hostname=host, port=port,
        authenticator=accept_any_login, auth_required=False, auth_require_tls=False,
        data_size_limit=50 * 1024 * 1024,
    )


def parse_quotas(items: list[str]) -> dict[str, int]:
    quotas = {}
    for item in items:
        user, _, count = item.partition("=")
        quotas[user.strip().lower()] = int(count)
    return quotas


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--quota", action="append", default=[], metavar="USER=N",
                        help="refuse USER's messages past N per month with a quota reply")
    args = parser.parse_args(argv)
    from app import create_app  # configures logging (one handler, CPFs masked)

    controller = make_controller(create_app(), args.host, args.port, parse_quotas(args.quota))
    controller.start()
    log.info("listening on %s:%s (quotas: %s)", args.host, args.port, args.quota or "none")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
