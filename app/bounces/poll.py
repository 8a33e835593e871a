"""The periodic read of the bounce mailbox(es) (workers/schedule.py, every BOUNCE_POLL_MINUTES).

Per active mailbox: read the new messages, record each bounce (app.bounces.record) and only then move it to
Preventivo/processados; leave everything else. A mailbox that cannot be reached starts an episode
(`unreachable_since`) with one alert (its dedupe key names the episode); a good read ends it.
"""
from __future__ import annotations

import imaplib
import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, select

from app.alerts import send_admin_alert
from app.extensions import db
from app.jobs import MAINTENANCE, job
from app.models import BounceEvent, BounceMailbox
from app.security.crypto import SecretUnreadable
from app.timeutil import fmt_datetime, now_utc

from . import record
from .detect import detect
from .imap import MailboxError, MailboxReader, Settings

log = logging.getLogger(__name__)


@dataclass
class ReadResult:
    bounces: int = 0
    left: int = 0
    error: str | None = None


def settings_of(mailbox: BounceMailbox) -> Settings:
    try:
        password = mailbox.password or ""
    except SecretUnreadable as exc:
        raise MailboxError("a senha guardada não pode ser lida com ENCRYPTION_KEYS: cadastre-a de novo") from exc
    return Settings(mailbox.host, mailbox.port, mailbox.security, mailbox.username, password, mailbox.folder or "INBOX",
                    current_app.config["BOUNCE_IMAP_TIMEOUT"], current_app.config["SMTP_CA_FILE"])


def read_mailbox(mailbox: BounceMailbox) -> ReadResult:
    """One read of one mailbox; the episode starts or ends here."""
    result = ReadResult()
    mailbox_id, operation_id = mailbox.id, mailbox.operation_id
    try:
        with MailboxReader(settings_of(mailbox)) as box:
            for uid, raw in box.new_messages():
                bounce = _detect(raw, uid)
                if bounce is None:
                    box.leave(uid)
                    result.left += 1
                    continue
                record.record(bounce, operation_id)
                box.move_to_processed(uid)
                result.bounces += 1
    except (MailboxError, OSError, imaplib.IMAP4.error) as exc:  # OSError includes TLS errors and timeouts
        db.session.rollback()
        result.error = str(exc) if isinstance(exc, MailboxError) else \
            f"Caixa de devoluções: a conexão caiu durante a leitura [{type(exc).__name__}: {exc}]"[:500]
        _unreachable(db.session.get(BounceMailbox, mailbox_id), result.error)
        return result
    mailbox = db.session.get(BounceMailbox, mailbox_id)
    mailbox.polled_at, mailbox.unreachable_since, mailbox.unreachable_reason = now_utc(), None, None
    db.session.commit()
    log.info("bounce mailbox=%s bounces=%s left=%s", mailbox_id, result.bounces, result.left)
    return result


def _detect(raw: bytes, uid: str):
    """The bounce in a message; a message no detector can read is left alone (it would fail every poll)."""
    try:
        return detect(raw)
    except Exception:  # a malformed message: leave it, say so once in the log
        log.warning("bounce mailbox message uid=%s could not be parsed; left in the mailbox", uid, exc_info=True)
        return None


def _unreachable(mailbox: BounceMailbox, reason: str) -> None:
    mailbox.unreachable_reason = reason
    if mailbox.unreachable_since is None:
        mailbox.unreachable_since = now_utc()
    db.session.commit()
    log.warning("bounce mailbox=%s unreachable: %s", mailbox.id, reason)
    body = Markup("<p>A caixa de devoluções <b>{}</b> não pôde ser lida desde {}.</p><p>Motivo: {}</p>"
                  "<p>Enquanto isso, as devoluções esperam na caixa e nenhum endereço novo é bloqueado. Confira o "
                  "servidor, a porta, a segurança, o usuário e a senha em Configuração → Caixa de devoluções. "
                  "O sistema tenta de novo a cada {} minutos.</p>").format(
        mailbox, fmt_datetime(mailbox.unreachable_since), reason, current_app.config["BOUNCE_POLL_MINUTES"])
    send_admin_alert("bounce_mailbox_unreachable", f"Caixa de devoluções sem conexão: {mailbox}", str(body),
                     dedupe_key=f"bouncebox:{mailbox.id}:{mailbox.unreachable_since.isoformat()}"[:120],
                     operation_id=mailbox.operation_id)


def forget_old_events() -> int:
    """LGPD: bounce events (an address each) older than RETENTION_DAYS go; the suppression list stays (it is
    what keeps the address from being written to). Commits."""
    days = max(current_app.config["RETENTION_DAYS"], current_app.config["SOFT_BOUNCE_DAYS"])
    cutoff = now_utc() - timedelta(days=days)
    result = db.session.execute(delete(BounceEvent).where(BounceEvent.received_at < cutoff)
                                .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount or 0


def read_all() -> dict[int, ReadResult]:
    forget_old_events()
    ids = db.session.execute(select(BounceMailbox.id).where(BounceMailbox.active.is_(True))
                             .order_by(BounceMailbox.id)).scalars().all()
    return {mailbox_id: read_mailbox(db.session.get(BounceMailbox, mailbox_id)) for mailbox_id in ids}


@job(MAINTENANCE, timeout=600)
def poll_job() -> None:
    """The periodic job: every active bounce mailbox, once."""
    read_all()
