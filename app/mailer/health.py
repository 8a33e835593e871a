"""Service health: ok, sem conexão (the server does not answer) or com defeito (it answers, but no).

"Com defeito" is `EmailService.broken_at` (credentials, TLS, sender refused: a person must fix the
registration). "Sem conexão" counts: each connection that never became an SMTP session (refused,
DNS, timeout, no greeting, dropped) adds one to `connect_failures`, in the database so every
worker counts toward the same number; a session that opens resets it. At SERVICE_DOWN_AFTER in a
row the service is marked (`unreachable_at`, one alert, its operations rotate away by the quota
rule). The sweep then probes it every SERVICE_PROBE_SECONDS (connect and EHLO only); when it
answers, the mark clears and one "Serviço reconectado" alert goes out. Operations are not moved
back by themselves.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from app.extensions import db
from app.models import EmailService
from app.timeutil import now_utc

from .classify import SmtpFault
from .service_alerts import alert_reconnected
from .transport import SmtpTransport

log = logging.getLogger(__name__)


def connection_failed(service: EmailService, reason: str) -> int:
    """Count one failed connection to `service`; returns the count of failures in a row (commits)."""
    now = now_utc()
    db.session.execute(
        update(EmailService).where(EmailService.id == service.id)
        .values(connect_failures=EmailService.connect_failures + 1,
                failing_since=db.func.coalesce(EmailService.failing_since, now),
                unreachable_reason=db.case((EmailService.unreachable_at.is_(None), reason[:1000]),
                                           else_=EmailService.unreachable_reason))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    count = db.session.execute(select(EmailService.connect_failures).where(EmailService.id == service.id)).scalar()
    log.warning("service=%s connection failed (%s in a row): %s", service.name, count, reason)
    return count or 0


def connected(service_id: int) -> None:
    """A session opened: the failures in a row are over (a cheap no-op when there were none; commits)."""
    db.session.execute(
        update(EmailService).where(EmailService.id == service_id, EmailService.connect_failures > 0,
                                   EmailService.unreachable_at.is_(None))
        .values(connect_failures=0, failing_since=None).execution_options(synchronize_session=False)
    )
    db.session.commit()  # even when nothing changed: SQLite holds its write lock until then


def is_down(failures: int) -> bool:
    return failures >= current_app.config["SERVICE_DOWN_AFTER"]


def mark_unreachable(service: EmailService, reason: str) -> bool:
    """Mark the service "sem conexão"; True when this call made the mark (commits)."""
    result = db.session.execute(
        update(EmailService).where(EmailService.id == service.id, EmailService.unreachable_at.is_(None))
        .values(unreachable_at=db.func.coalesce(EmailService.failing_since, now_utc()),
                unreachable_reason=reason[:1000], probed_at=now_utc())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(service)
    return result.rowcount == 1


def probe_unreachable() -> int:
    """Sweep step: try every "sem conexão" service whose probe is due; returns how many came back."""
    due = now_utc() - timedelta(seconds=current_app.config["SERVICE_PROBE_SECONDS"])
    services = db.session.execute(
        select(EmailService).where(EmailService.unreachable_at.is_not(None), EmailService.active.is_(True),
                                   or_(EmailService.probed_at.is_(None), EmailService.probed_at <= due))
    ).scalars().all()
    return sum(1 for service in services if probe(service))


def probe(service: EmailService) -> bool:
    """Connect and EHLO (no AUTH, no message); True when the service answered and its mark was cleared."""
    transport = SmtpTransport.for_service(service)
    try:
        transport.probe()
    except SmtpFault as fault:
        db.session.execute(update(EmailService).where(EmailService.id == service.id)
                           .values(probed_at=now_utc(), unreachable_reason=str(fault)[:1000])
                           .execution_options(synchronize_session=False))
        db.session.commit()
        return False
    return clear_unreachable(service)


def clear_unreachable(service: EmailService) -> bool:
    """The service answers again: clear the mark (guarded) and send one "Serviço reconectado" (commits)."""
    since = service.unreachable_at
    result = db.session.execute(
        update(EmailService).where(EmailService.id == service.id, EmailService.unreachable_at.is_not(None))
        .values(unreachable_at=None, unreachable_reason=None, connect_failures=0, failing_since=None,
                probed_at=now_utc())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(service)
    if result.rowcount != 1:
        return False
    log.info("service=%s answers again", service.name)
    alert_reconnected(service, since)
    return True
