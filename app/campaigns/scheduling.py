"""When a campaign starts: the send moment people type, its rq-scheduler job, reschedule and cancel.

The database is the source of truth: if Redis is unreachable the campaign is
still stored, and the periodic sweep starts it once its moment has passed.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from app import audit
from app.extensions import db
from app.jobs import schedule_at
from app.models import Campaign
from app.timeutil import MAX_YEAR, MIN_YEAR, in_supported_range, localize, now_utc, to_local

from . import lifecycle
from .collection import start_campaign_job
from .selection import campaign_day

log = logging.getLogger(__name__)

DEFAULT_HOUR = 8
PAST_TOLERANCE = timedelta(minutes=5)
LOCAL_INPUT_FORMAT = "%d/%m/%Y %H:%M"
PICKER_FORMAT = "%Y-%m-%dT%H:%M"  # what a datetime-local input sends and shows
_ACCEPTED_FORMATS = (LOCAL_INPUT_FORMAT, PICKER_FORMAT, "%Y-%m-%dT%H:%M:%S")
# The rule of check_moment and schedule_start, in the words the forms show under the date field.
PAST_RULE = (f"Um horário de até {int(PAST_TOLERANCE.total_seconds() // 60)} minutos atrás (ou o de agora) "
             "inicia a campanha na hora; um horário mais antigo é recusado.")


class ScheduleError(ValueError):
    """A moment that cannot be used; the message is pt-BR."""


def default_moment(now: datetime | None = None) -> datetime:
    """The next day at 08:00 local time (aware UTC)."""
    local_now = to_local(now or now_utc())
    tomorrow = local_now.date() + timedelta(days=1)
    return localize(datetime(tomorrow.year, tomorrow.month, tomorrow.day, DEFAULT_HOUR, 0))


def format_local_input(moment: datetime) -> str:
    return to_local(moment).strftime(LOCAL_INPUT_FORMAT)


def format_picker(moment: datetime) -> str:
    """The value of a datetime-local input: '2026-08-05T08:00' in TIMEZONE."""
    return to_local(moment).strftime(PICKER_FORMAT)


def parse_local_input(text: str) -> datetime:
    """'2026-08-05T08:00' (the date-time picker) or '05/08/2026 08:00' (typed) in TIMEZONE -> aware UTC."""
    text = (text or "").strip()
    for fmt in _ACCEPTED_FORMATS:
        try:
            naive = datetime.strptime(text, fmt)
        except ValueError:
            continue
        _check_range(naive)
        return localize(naive)
    raise ScheduleError("Data e hora inválidas: escolha no calendário ou use dd/mm/aaaa HH:MM (ex.: 05/08/2026 08:00).")


def _check_range(moment: datetime) -> None:
    if not in_supported_range(moment):
        raise ScheduleError(f"Data e hora fora do intervalo aceito: use um ano entre {MIN_YEAR} e {MAX_YEAR}.")


def parse_iso(text: str) -> datetime:
    """ISO 8601; without an offset the moment is read in TIMEZONE."""
    try:
        moment = datetime.fromisoformat((text or "").strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ScheduleError("Data e hora inválidas: use ISO 8601 (ex.: 2026-08-05T08:00:00-03:00).") from exc
    _check_range(moment)
    if moment.tzinfo is None:
        return localize(moment)
    return moment.astimezone(timezone.utc)


def check_moment(moment: datetime, now: datetime | None = None) -> datetime:
    """Refuse a moment more than 5 minutes in the past; a moment within them means 'start now'."""
    now = now or now_utc()
    if moment < now - PAST_TOLERANCE:
        raise ScheduleError(
            f"A data e hora de envio ({format_local_input(moment)}) já passou. Escolha um momento futuro."
        )
    return moment


def schedule_start(campaign_id: int, moment: datetime) -> str:
    """Schedule (or run at once) the start job. Returns 'started', 'scheduled' or 'deferred'
    (Redis unreachable: the sweep will start it)."""
    try:
        if moment <= now_utc():
            lifecycle.unschedule_start(campaign_id)
            start_campaign_job.delay(campaign_id)
            return "started"
        schedule_at(moment, start_campaign_job, campaign_id, job_id=lifecycle.start_job_id(campaign_id))
        return "scheduled"
    except Exception:
        log.warning("campaign=%s start not scheduled in Redis; the sweep will start it", campaign_id, exc_info=True)
        return "deferred"


def can_manage(user, campaign: Campaign) -> bool:
    """The creator of a campaign or an admin may cancel it or change its date."""
    if user is None:
        return False
    return bool(getattr(user, "is_admin", False)) or (campaign.created_by_id is not None
                                                      and campaign.created_by_id == user.id)


def reschedule(campaign: Campaign, moment: datetime, user=None) -> bool:
    """Move a still-scheduled campaign to a new moment (campaign_day follows). False when it already started."""
    check_moment(moment)
    previous = campaign.scheduled_at
    if not lifecycle.schedule(campaign.id, moment, campaign_day(moment)):
        return False
    db.session.refresh(campaign)
    audit.record("campaign.reschedule", target=campaign, user=user,
                 details={"from": previous.isoformat() if previous else None, "to": moment.isoformat()})
    db.session.commit()
    schedule_start(campaign.id, moment)
    return True


def cancel(campaign: Campaign, user=None) -> bool:
    """Cancel (lifecycle) and record who did it."""
    moved = lifecycle.cancel(campaign.id, user=user)
    if moved:
        db.session.refresh(campaign)
        audit.record("campaign.cancel", target=campaign, user=user)
        db.session.commit()
    return moved
