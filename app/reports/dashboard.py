"""The panel's home: today's and upcoming campaigns, running ones, service usage, rotations and alerts."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Alert, Campaign, EmailService, Rotation, ServiceUsage
from app.models.campaigns import RUNNING_STATUSES, SCHEDULED
from app.timeutil import local_date, localize, month_key, now_utc, to_local

UPCOMING_DAYS = 7
LIST_LIMIT = 10


@dataclass
class ServiceQuota:
    service: EmailService
    sent: int
    quota: int
    exhausted: bool
    runs_out_on: date | None  # at this month's pace; None when it will not run out this month

    @property
    def percent(self) -> int:
        if self.quota <= 0:
            return 100
        return min(100, int(self.sent * 100 / self.quota))

    @property
    def bar_class(self) -> str:
        if self.exhausted or self.percent >= 90:
            return "bg-danger"
        return "bg-warning" if self.percent >= 70 else "bg-success"


def _campaigns(*conds, order, limit=LIST_LIMIT) -> list[Campaign]:
    return db.session.execute(
        select(Campaign)
        .options(joinedload(Campaign.operation), joinedload(Campaign.campaign_type))
        .where(*conds).order_by(*order).limit(limit)
    ).unique().scalars().all()


def run_out_day(sent: int, quota: int, now: datetime) -> date | None:
    """The local day the quota runs out if the month goes on at its pace so far; None if it won't this month."""
    local_now = to_local(now)
    month_start = local_now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    elapsed_days = max((local_now - month_start).total_seconds() / 86400, 1 / 24)  # at least an hour
    if sent <= 0:
        return None
    if sent >= quota:
        return local_now.date()
    pace = sent / elapsed_days
    runs_out = local_now + timedelta(days=(quota - sent) / pace)
    last_day = calendar.monthrange(local_now.year, local_now.month)[1]
    if runs_out.date() > local_now.date().replace(day=last_day):
        return None
    return runs_out.date()


def service_quotas(now: datetime | None = None) -> list[ServiceQuota]:
    now = now or now_utc()
    month = month_key(now)
    rows = db.session.execute(
        select(EmailService, ServiceUsage)
        .outerjoin(ServiceUsage, and_(ServiceUsage.service_id == EmailService.id, ServiceUsage.month == month))
        .where(EmailService.active.is_(True))
        .order_by(EmailService.rotation_order, EmailService.name)
    ).all()
    result = []
    for service, usage in rows:
        sent = usage.sent if usage else 0
        exhausted = bool(usage and usage.exhausted_at) or sent >= service.monthly_quota
        result.append(ServiceQuota(service, sent, service.monthly_quota, exhausted,
                                   run_out_day(sent, service.monthly_quota, now)))
    return result


def build(now: datetime | None = None) -> dict:
    now = now or now_utc()
    today = local_date(now)
    day_start = localize(datetime.combine(today, time.min))
    tomorrow = localize(datetime.combine(today + timedelta(days=1), time.min))
    horizon = localize(datetime.combine(today + timedelta(days=UPCOMING_DAYS + 1), time.min))
    rotations = db.session.execute(
        select(Rotation)
        .options(joinedload(Rotation.operation), joinedload(Rotation.from_service),
                 joinedload(Rotation.to_service), joinedload(Rotation.user))
        .order_by(Rotation.created_at.desc()).limit(LIST_LIMIT)
    ).unique().scalars().all()
    alerts = db.session.execute(select(Alert).order_by(Alert.created_at.desc()).limit(LIST_LIMIT)).scalars().all()
    return {
        "today": _campaigns(Campaign.scheduled_at >= day_start, Campaign.scheduled_at < tomorrow,
                            order=(Campaign.scheduled_at, Campaign.id), limit=50),
        "upcoming": _campaigns(Campaign.status == SCHEDULED, Campaign.scheduled_at >= tomorrow,
                               Campaign.scheduled_at < horizon, order=(Campaign.scheduled_at, Campaign.id)),
        "running": _campaigns(Campaign.status.in_(RUNNING_STATUSES), order=(Campaign.scheduled_at, Campaign.id),
                              limit=50),
        "services": service_quotas(now),
        "rotations": rotations,
        "alerts": alerts,
        "month": month_key(now),
    }
