"""Local time (TIMEZONE, America/Sao_Paulo by default) and its formats."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def local_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


# Dates that people type are held to these years before any arithmetic: year 1 or 9999 would
# overflow when moved to or from TIMEZONE or a day is added (a 500 instead of a message).
MIN_YEAR, MAX_YEAR = 1900, 2999


def in_supported_range(value: date) -> bool:
    """True for a date or datetime in MIN_YEAR..MAX_YEAR."""
    return MIN_YEAR <= value.year <= MAX_YEAR


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def to_local(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(local_tz())


def local_date(moment: datetime) -> date:
    return to_local(moment).date()


def localize(naive_local: datetime) -> datetime:
    """A wall-clock time in TIMEZONE -> aware UTC."""
    return naive_local.replace(tzinfo=local_tz()).astimezone(timezone.utc)


def month_key(moment: datetime | None = None) -> str:
    """'YYYY-MM' of the calendar month in TIMEZONE (quota months)."""
    return to_local(moment or now_utc()).strftime("%Y-%m")


def fmt_datetime(moment: datetime | None) -> str:
    """'05/08/2020 às 08:00' as the operators read it."""
    if moment is None:
        return ""
    return to_local(moment).strftime("%d/%m/%Y às %H:%M")


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with the local offset, for the API."""
    return to_local(moment).isoformat() if moment else None
