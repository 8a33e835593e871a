"""The campaign lifecycle: one table of allowed moves, and a named verb for each.

Every change of a campaign's status goes through a verb here. Each verb is a
guarded `UPDATE ... WHERE status IN (allowed)`, committed at once, so two
workers (or a job run twice) can never both make the same move; a verb
returns True only when its call made the move. The side effects of a move
(enqueueing collection or sending) belong to the callers; the one exception
is `cancel`, which also takes the start job off the scheduler.

    scheduled ──start──► collecting ──collected──► sending ──complete──► completed
        │ schedule (new moment)                  │  ▲                       │
        │                                  pause ▼  │ resume           reopen (retry failures)
        │                                       paused ──complete──► completed
        └── cancel / fail: from scheduled, collecting, sending or paused
"""
from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import update

from app.extensions import db
from app.jobs import unschedule
from app.models import Campaign
from app.models.campaigns import CANCELED, COLLECTING, COMPLETED, FAILED, PAUSED, SCHEDULED, SENDING
from app.timeutil import now_utc

log = logging.getLogger(__name__)

UNFINISHED = (SCHEDULED, COLLECTING, SENDING, PAUSED)

# verb: (statuses it leaves from, status it arrives at)
MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    "schedule": ((SCHEDULED,), SCHEDULED),  # a new moment for a campaign that has not started
    "start": ((SCHEDULED,), COLLECTING),
    "collected": ((COLLECTING,), SENDING),
    "pause": ((SENDING,), PAUSED),
    "resume": ((PAUSED,), SENDING),
    "complete": ((SENDING, PAUSED), COMPLETED),
    "cancel": (UNFINISHED, CANCELED),
    "fail": (UNFINISHED, FAILED),
    "reopen": ((COMPLETED,), SENDING),  # failed deliveries sent again
}


def _move(verb: str, campaign_id: int, *conditions, **values) -> bool:
    expected, new_status = MOVES[verb]
    result = db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status.in_(expected), *conditions)
        .values(status=new_status, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    moved = result.rowcount == 1
    if moved:
        log.info("campaign=%s %s -> %s (%s)", campaign_id, "/".join(expected), new_status, verb)
    return moved


def schedule(campaign_id: int, moment: datetime, day: date) -> bool:
    """Move a campaign that has not started to a new send moment (and campaign day)."""
    return _move("schedule", campaign_id, scheduled_at=moment, campaign_day=day)


def start(campaign_id: int) -> bool:
    """A scheduled campaign whose moment has come starts collecting (a later moment waits for its own job)."""
    now = now_utc()
    return _move("start", campaign_id, Campaign.scheduled_at <= now, started_at=now)


def collected(campaign_id: int) -> bool:
    """Every client was asked for: sending begins."""
    return _move("collected", campaign_id, collected_at=now_utc())


def pause(campaign_id: int, reason: str) -> bool:
    """No service can send for the operation now; the reason is shown on the campaign."""
    return _move("pause", campaign_id, status_reason=reason[:1000])


def resume(campaign_id: int) -> bool:
    return _move("resume", campaign_id, status_reason=None)


def complete(campaign_id: int) -> bool:
    return _move("complete", campaign_id, finished_at=now_utc(), status_reason=None)


def cancel(campaign_id: int, user=None, reason: str = "Cancelada pelo usuário") -> bool:
    """Cancel a campaign that has not finished. Its open deliveries are never sent afterwards."""
    moved = _move("cancel", campaign_id, finished_at=now_utc(), status_reason=reason,
                  canceled_by_id=getattr(user, "id", None))
    if moved:
        unschedule_start(campaign_id)
    return moved


def fail(campaign_id: int, reason: str) -> bool:
    """An unrecoverable fault ends the campaign; the reason is shown."""
    moved = _move("fail", campaign_id, finished_at=now_utc(), status_reason=reason[:1000])
    if moved:
        unschedule_start(campaign_id)
    return moved


def reopen(campaign_id: int) -> bool:
    """A completed campaign sends again (its failed deliveries were put back to pending)."""
    return _move("reopen", campaign_id, finished_at=None)


def start_job_id(campaign_id: int) -> str:
    """The rq-scheduler job id of a campaign's start (one per campaign, replaced on reschedule)."""
    return f"start-campaign-{campaign_id}"


def unschedule_start(campaign_id: int) -> None:
    """Take the campaign's start job off the scheduler, if Redis can be reached."""
    try:
        unschedule(start_job_id(campaign_id))
    except Exception:  # Redis down: the start job finds the campaign canceled and does nothing
        log.warning("campaign=%s start job not unscheduled (Redis unavailable)", campaign_id)
