"""The envelope sender (MAIL FROM, the Return-Path) of an operation's messages: the bounce mailbox's address when
one is set (the operation's own mailbox first, else the shared one), so the bounces land where they are read."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import BounceMailbox


def mailbox_for(operation_id: int) -> BounceMailbox | None:
    rows = db.session.execute(
        select(BounceMailbox).where(BounceMailbox.active.is_(True),
                                    (BounceMailbox.operation_id == operation_id) | BounceMailbox.operation_id.is_(None))
    ).scalars().all()
    return min(rows, key=lambda m: m.operation_id is None, default=None)


def sender_for(operation_id: int) -> str | None:
    mailbox = mailbox_for(operation_id)
    return (mailbox.envelope_sender or "").strip() or None if mailbox else None
