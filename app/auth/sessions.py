"""Panel sessions that end: a generation per user, an idle timeout, an absolute lifetime.

The session cookie carries the user's id *and* session generation (Flask-Login's
alternative id, `User.get_id`). Bumping the generation (`User.end_sessions`: logout,
a password change, an admin's edit or deactivation) makes every cookie issued before
it useless, on every machine. Besides, each session remembers when it logged in and
when it was last used: past SESSION_IDLE_MINUTES unused or SESSION_MAX_HOURS after
login it ends, whatever the cookie says. Polling (the live progress of the pages)
does not count as use, so a page left open still times out.
"""
from __future__ import annotations

from flask import current_app, flash, g, request, session
from flask_login import login_user, logout_user

from app.extensions import db
from app.models import User
from app.timeutil import now_utc

LOGGED_IN_AT = "_since"
LAST_SEEN_AT = "_seen"
KEPT_ACROSS_LOGIN = ("lang",)  # what a new session keeps of the old one
EXPIRED_MESSAGE = "Sua sessão expirou. Entre novamente."


def load_user(session_id: str):
    """Flask-Login's user_loader: the user, only while the cookie's generation is the user's current one."""
    user_id, _, generation = (session_id or "").partition(":")
    if not user_id.isdigit() or not generation.isdigit() or len(user_id) > 10:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or str(user.session_generation or 0) != generation:
        return None
    return user


def start_session(user: User) -> None:
    """Log `user` in on a fresh session: nothing of the old one but the language, a new CSRF token."""
    kept = {key: session[key] for key in KEPT_ACROSS_LOGIN if key in session}
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF caches the signed token per request; the raw one left with the session
    session.update(kept)
    session.permanent = True  # the cookie expires with SESSION_MAX_HOURS instead of lingering with the browser
    login_user(user)
    now = int(now_utc().timestamp())
    session[LOGGED_IN_AT] = session[LAST_SEEN_AT] = now


def end_session() -> None:
    """Log out here (the caller bumps the generation when every session must end)."""
    kept = {key: session[key] for key in KEPT_ACROSS_LOGIN if key in session}
    logout_user()
    session.clear()
    g.pop("csrf_token", None)
    session.update(kept)


def _polling() -> bool:
    return request.path.endswith(".json") and request.method == "GET"


def check_session_age() -> None:
    """before_request: end a session that was idle too long or logged in too long ago."""
    if "_user_id" not in session:
        return
    cfg = current_app.config
    now = int(now_utc().timestamp())
    since, seen = session.get(LOGGED_IN_AT), session.get(LAST_SEEN_AT)
    if (not isinstance(since, int) or not isinstance(seen, int)
            or now - seen > cfg["SESSION_IDLE_MINUTES"] * 60 or now - since > cfg["SESSION_MAX_HOURS"] * 3600):
        end_session()
        if not request.path.startswith("/api/") and not _polling():
            flash(EXPIRED_MESSAGE, "info")
        return
    if not _polling() and now - seen >= 30:  # rewrite the cookie at most twice a minute
        session[LAST_SEEN_AT] = now
