"""The day rule: which boletos a campaign sends.

D is the campaign day: the local date (TIMEZONE) of `scheduled_at`, stored as
`campaign.campaign_day` when the campaign is (re)scheduled. A boleto is
selected when it is open (`aberta`), valid, and due on D + k for a k in the
campaign type's offsets (default 0 and 7). Date arithmetic is on calendar
dates, so daylight-saving changes never shift a day.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.timeutil import local_tz

OPEN = "aberta"


def campaign_day(moment: datetime, tz_name: str | None = None) -> date:
    """D for a send moment: its calendar date in TIMEZONE (or in `tz_name`, outside an app)."""
    return moment.astimezone(ZoneInfo(tz_name) if tz_name else local_tz()).date()


def selected_due_dates(day: date, offsets: list[int]) -> frozenset[date]:
    return frozenset(day + timedelta(days=k) for k in offsets)


def is_selected(status: str, valid: bool, due_date: date | None, due_dates: frozenset[date]) -> bool:
    return status == OPEN and valid and due_date is not None and due_date in due_dates
