"""Checking an e-mail and a password: same work whether the e-mail exists, locks per (e-mail, address).

- An unknown e-mail, an inactive user or a user without a password costs the same password hash
  as a wrong password (a dummy hash is checked), so the answer's timing tells nothing.
- Wrong passwords are counted per (e-mail, client address) in `login_locks`; past
  LOGIN_MAX_FAILURES that address is locked out of that e-mail for LOGIN_LOCK_MINUTES. The owner,
  elsewhere, is not: a stranger who knows an e-mail can no longer lock its owner out. Unknown
  e-mails are counted and locked the same way, so a lock does not reveal which e-mails exist.
  Guessing across many e-mails from one address is the per-address throttle's job (throttle.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import LoginLock, User
from app.timeutil import now_utc

_dummy_hash: str | None = None


def dummy_hash() -> str:
    """A hash made like every user's (same method and cost), of a password nobody has."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = generate_password_hash("no user has this password: it only costs the same time")
    return _dummy_hash


@dataclass
class Verdict:
    user: User | None  # set only when the credentials are right
    locked_minutes: int = 0  # > 0: this address is locked out of this e-mail


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()[:254]


def verify(email: str, password: str, address: str) -> Verdict:
    email, now = normalize_email(email), now_utc()
    address = address[:64]
    lock = _lock(email, address)
    if lock is not None and lock.locked_until and lock.locked_until > now:
        return Verdict(None, locked_minutes=_minutes_left(lock.locked_until, now))
    user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    stored = user.password_hash if user is not None and user.password_hash else dummy_hash()
    right = check_password_hash(stored, password or "")
    if right and user is not None and user.password_hash and user.active:
        if lock is not None:
            db.session.delete(lock)
        return Verdict(user)
    minutes = record_failure(email, address, now, lock)
    return Verdict(None, locked_minutes=minutes)


def _lock(email: str, address: str) -> LoginLock | None:
    return db.session.execute(
        select(LoginLock).where(LoginLock.email == email, LoginLock.address == address)).scalar_one_or_none()


def _minutes_left(until: datetime, now: datetime) -> int:
    return max(1, int((until - now).total_seconds() // 60) + 1)


def record_failure(email: str, address: str, now: datetime, lock: LoginLock | None) -> int:
    """Count one wrong password; returns the lock's minutes when this failure earned one (else 0). Commits."""
    cfg = current_app.config
    window = timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
    # Forget old failures of this e-mail from other addresses: the table stays as small as the window.
    db.session.execute(delete(LoginLock).where(
        LoginLock.email == email, LoginLock.address != address, LoginLock.last_failure_at < now - window,
        or_(LoginLock.locked_until.is_(None), LoginLock.locked_until < now)).execution_options(
        synchronize_session=False))
    if lock is None:
        lock = LoginLock(email=email, address=address, failures=0)
        db.session.add(lock)
    elif lock.last_failure_at < now - window:
        lock.failures = 0  # an old run of failures, or a lock that ran out: start counting again
    lock.failures = (lock.failures or 0) + 1
    lock.last_failure_at = now
    minutes = 0
    if lock.failures >= cfg["LOGIN_MAX_FAILURES"]:
        lock.failures, lock.locked_until = 0, now + window
        minutes = cfg["LOGIN_LOCK_MINUTES"]
        current_app.logger.warning("login locked for one address on one e-mail (%s failures)",
                                   cfg["LOGIN_MAX_FAILURES"])
    try:
        db.session.commit()
    except IntegrityError:  # the same (e-mail, address) failed twice at once: the other request counted
        db.session.rollback()
    return minutes


def unlock(emails: list[str]) -> int:
    """Lift every lock on these e-mails (an admin's "Desbloquear"). Returns how many were lifted."""
    result = db.session.execute(delete(LoginLock).where(LoginLock.email.in_([normalize_email(e) for e in emails])))
    return result.rowcount or 0


def locked_emails(emails: list[str]) -> set[str]:
    """Which of these e-mails some address is locked out of right now (the users list shows it)."""
    rows = db.session.execute(select(LoginLock.email).where(
        LoginLock.email.in_(emails), LoginLock.locked_until > now_utc())).scalars()
    return set(rows)
