"""Emails to the admins (ALERT_EMAILS) through Flask-Mail, each kept as an `Alert` row.

A `dedupe_key` makes "one alert per event" a database guarantee: the row is
inserted first, and a second insert with the same key means the alert was
already given, so nothing is sent twice even with several workers.

Every alert has a text/plain part that says what its HTML says (html2text), and
goes out from MAIL_DEFAULT_SENDER.
"""
from __future__ import annotations

import logging

import html2text
from flask import current_app
from flask_mail import Message
from sqlalchemy.exc import IntegrityError

from app.extensions import db, mail
from app.models import Alert

log = logging.getLogger(__name__)


def send_admin_alert(kind: str, subject: str, body_html: str, *, dedupe_key: str | None = None,
                     operation_id: int | None = None, service_id: int | None = None,
                     campaign_id: int | None = None, recipients: list[str] | None = None) -> Alert | None:
    """Record and send an alert. Returns None when `dedupe_key` was already alerted.

    Commits the alert row on its own (so the dedupe holds across workers);
    call it after committing your own change.
    """
    recipients = recipients if recipients is not None else list(current_app.config["ALERT_EMAILS"])
    alert = Alert(kind=kind, subject=subject, body_html=body_html, recipients=", ".join(recipients),
                  dedupe_key=dedupe_key, operation_id=operation_id, service_id=service_id, campaign_id=campaign_id)
    db.session.add(alert)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    if not recipients:
        alert.error = "ALERT_EMAILS vazio: alerta registrado, nenhum e-mail enviado."
        db.session.commit()
        return alert
    try:
        mail.send(Message(subject=subject, recipients=recipients, html=body_html, body=plain_text(body_html),
                          sender=current_app.config["MAIL_DEFAULT_SENDER"]))
        alert.sent_ok = True
    except Exception as exc:  # the alert stays recorded; the panel shows the error
        alert.error = f"{type(exc).__name__}: {exc}"[:500]
        log.warning("alert %s not sent: %s", kind, alert.error)
    db.session.commit()
    return alert


def plain_text(body_html: str) -> str:
    """The text/plain part of an alert: its HTML, readable as text (lists, bold and links kept legible)."""
    converter = html2text.HTML2Text()
    converter.body_width = 0  # no hard wrapping: mail clients wrap
    converter.ignore_images = True
    converter.ignore_emphasis = True
    return converter.handle(body_html).strip() + "\n"
