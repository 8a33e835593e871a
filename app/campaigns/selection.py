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

OPEN = "aberta"


def campaign_day_of(scheduled_at: datetime, tz_name: str) -> date:
    """D for a moment: its calendar date in the configured time zone."""
    return scheduled_at.astimezone(ZoneInfo(tz_name)).date()


def campaign_day(campaign) -> date:
    if campaign.campaign_day is not None:
        return campaign.campaign_day
    from app.timeutil import local_date

    return local_date(campaign.scheduled_at)


def selected_due_dates(day: date, offsets: list[int]) -> frozenset[date]:
    return frozenset(day + timedelta(days=k) for k in offsets)


def is_selected(status: str, valid: bool, due_date: date | None, due_dates: frozenset[date]) -> bool:
    return status == OPEN and valid and due_date is not None and due_date in due_dates
