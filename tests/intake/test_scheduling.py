"""Scheduling the start with rq-scheduler (real Redis), starting at once, reschedule and cancel."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from rq import SimpleWorker

from app.campaigns import scheduling
from app.campaigns.lifecycle import start_job_id
from app.extensions import db
from app.jobs import all_queues, get_redis, make_scheduler
from app.models import Campaign
from app.models.campaigns import CANCELED, SCHEDULED
from app.timeutil import now_utc
from tests.helpers.intake import import_bytes
from tests.intake.golden_cases import A

FILE = f"CPF;EMAIL\n{A};ana@exemplo.com.br\n".encode()


def _scheduled_times() -> dict[str, datetime]:
    return {job.id: when.replace(tzinfo=timezone.utc) for job, when in make_scheduler().get_jobs(with_times=True)}


def _run_jobs() -> None:
    SimpleWorker(all_queues(), connection=get_redis()).work(burst=True)


def test_future_campaign_is_stored_scheduled_with_a_start_job_at_its_moment(seeded):
    moment = now_utc().replace(microsecond=0) + timedelta(days=2)
    result = import_bytes(FILE, "c.csv", scheduled_at=moment)
    assert result.campaign.status == SCHEDULED and result.start == "scheduled"
    assert _scheduled_times()[start_job_id(result.campaign.id)] == moment


def test_campaign_whose_moment_has_come_starts_at_once(seeded):
    result = import_bytes(FILE, "c.csv", scheduled_at=now_utc() - timedelta(minutes=1))
    assert result.start == "started"
    _run_jobs()
    db.session.expire_all()
    campaign = db.session.get(Campaign, result.campaign.id)
    # Started: it left SCHEDULED (collection may already have finished it).
    assert campaign.status != SCHEDULED and campaign.started_at is not None


def test_a_duplicate_start_job_does_nothing(seeded):
    from app.campaigns.collection import start_campaign_job

    result = import_bytes(FILE, "c.csv", scheduled_at=now_utc())
    start_campaign_job.delay(result.campaign.id)
    _run_jobs()
    db.session.expire_all()
    campaign = db.session.get(Campaign, result.campaign.id)
    first_start = campaign.started_at
    start_campaign_job.delay(result.campaign.id)
    _run_jobs()
    db.session.expire_all()
    assert first_start is not None
    assert db.session.get(Campaign, result.campaign.id).started_at == first_start


def test_campaign_day_is_the_local_date_of_the_moment(seeded):
    # 01:30 UTC on the 10th is 22:30 on the 9th in Sao Paulo.
    result = import_bytes(FILE, "c.csv", scheduled_at=datetime(2099, 3, 10, 1, 30, tzinfo=timezone.utc))
    assert result.campaign.campaign_day.isoformat() == "2099-03-09"


def test_default_moment_is_next_day_at_8_local(app):
    moment = scheduling.default_moment(datetime(2026, 11, 27, 23, 50, tzinfo=timezone.utc))  # 20:50 local
    assert scheduling.format_local_input(moment) == "28/11/2026 08:00"


def test_moment_more_than_5_minutes_past_is_refused(app):
    with pytest.raises(scheduling.ScheduleError, match="já passou"):
        scheduling.check_moment(now_utc() - timedelta(minutes=6))


def test_moment_within_5_minutes_past_is_accepted(app):
    moment = now_utc() - timedelta(minutes=4)
    assert scheduling.check_moment(moment) == moment


def test_iso_without_offset_is_read_in_local_time(app):
    assert scheduling.parse_iso("2099-08-05T08:00:00") == datetime(2099, 8, 5, 11, 0, tzinfo=timezone.utc)
    assert scheduling.parse_iso("2099-08-05T08:00:00Z") == datetime(2099, 8, 5, 8, 0, tzinfo=timezone.utc)


def test_reschedule_moves_the_job_and_the_campaign_day(seeded):
    result = import_bytes(FILE, "c.csv", scheduled_at=now_utc() + timedelta(days=2))
    new_moment = datetime(2099, 1, 2, 11, 0, tzinfo=timezone.utc)
    assert scheduling.reschedule(result.campaign, new_moment)
    db.session.expire_all()
    campaign = db.session.get(Campaign, result.campaign.id)
    assert (campaign.scheduled_at, campaign.campaign_day.isoformat()) == (new_moment, "2099-01-02")
    assert _scheduled_times()[start_job_id(campaign.id)] == new_moment


def test_a_started_campaign_cannot_be_rescheduled(seeded):
    result = import_bytes(FILE, "c.csv", scheduled_at=now_utc())
    _run_jobs()
    db.session.expire_all()
    assert not scheduling.reschedule(db.session.get(Campaign, result.campaign.id), now_utc() + timedelta(days=1))


def test_cancel_removes_the_start_job(seeded):
    result = import_bytes(FILE, "c.csv", scheduled_at=now_utc() + timedelta(days=2))
    assert scheduling.cancel(result.campaign)
    assert result.campaign.status == CANCELED
    assert start_job_id(result.campaign.id) not in _scheduled_times()


def test_only_the_creator_or_an_admin_may_manage(seeded, operator_user, admin_user):
    from tests.helpers.factories import make_user

    other = make_user("outro@preventivo.test", "operator")
    result = import_bytes(FILE, "c.csv", user=operator_user)
    assert [scheduling.can_manage(u, result.campaign) for u in (operator_user, admin_user, other)] == [True, True, False]
