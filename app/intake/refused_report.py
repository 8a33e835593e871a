"""The refused lines of an import that created no campaign, kept an hour for download.

A created campaign keeps its refused lines as rows (ImportIssue); an import refused
as a whole has no campaign to hang them on, yet the operator still needs the list to
fix the spreadsheet. The .xlsx is built at once and kept in Redis (shared by every web
process) under a random token bound to the user who uploaded; it holds masked CPFs and
the refused values only, and expires. Redis unreachable: the page still lists the
lines, only the download is missing.
"""
from __future__ import annotations

import logging
import secrets

from redis.exceptions import RedisError

from app.jobs import get_redis

from .files import issues_xlsx

log = logging.getLogger(__name__)
PREFIX = "preventivo:refused-import:"
KEEP_SECONDS = 3600


def _key(user_id: int, token: str) -> str:
    return f"{PREFIX}{user_id}:{token}"


def _redis():
    return get_redis()


def keep(user_id: int, issues) -> str | None:
    """Store the report of `issues` (parser Issues); returns its token, or None when Redis is away."""
    token = secrets.token_urlsafe(16)
    try:
        _redis().set(_key(user_id, token), issues_xlsx(issues), ex=KEEP_SECONDS)
    except RedisError as exc:
        log.warning("refused-lines report not kept (%s): the page lists the lines", type(exc).__name__)
        return None
    return token


def fetch(user_id: int, token: str) -> bytes | None:
    """The report, for its owner only; None when unknown, expired or someone else's."""
    if not token or len(token) > 64:
        return None
    try:
        return _redis().get(_key(user_id, token))
    except RedisError as exc:
        log.warning("refused-lines report unavailable (%s)", type(exc).__name__)
        return None
