"""Two scheduler processes at once, over ten minutes of simulated schedule (only the clock is mocked):
each campaign starts once. A scheduler that finds Redis emptied re-creates the periodic sweep."""
import logging
from datetime import datetime, timedelta, timezone

import pytest
from rq import SimpleWorker

from app.campaigns.scheduling import schedule_start
from app.extensions import db
from app.jobs import all_queues, get_redis
from app.models import Campaign
from tests.helpers.clock import Clock
from tests.helpers.collection_factories import make_campaign
from workers.runner import make_process_scheduler as make_scheduler
from workers.schedule import periodic_job_id, periodic_jobs, sync_periodic_jobs

T0 = datetime(2026, 11, 30, 11, 0, tzinfo=timezone.utc)
STEP = timedelta(seconds=5)  # the scheduler's poll interval


def _run_jobs():
    SimpleWorker(all_queues(), connection=get_redis()).work(burst=True, logging_level="WARNING")


def _starts(caplog, campaign_id: int) -> int:
    return sum(1 for r in caplog.records if r.getMessage().startswith(f"campaign={campaign_id} scheduled -> collecting"))


@pytest.mark.slow
def test_two_schedulers_for_ten_simulated_minutes_start_each_campaign_once(seeded, caplog):
    caplog.set_level(logging.INFO, logger="app.campaigns.lifecycle")
    with Clock(T0, tick=False) as clock:
        moments = [T0 + timedelta(minutes=m, seconds=s) for m, s in ((1, 0), (3, 2), (5, 0), (7, 30), (9, 1))]
        ids = [make_campaign(None, scheduled_at=moment, status="scheduled").id for moment in moments]
        for campaign_id, moment in zip(ids[:3], moments[:3]):
            assert schedule_start(campaign_id, moment) == "scheduled"
        # The last two lost their start job (Redis restarted before the scheduler ran): the sweep starts them.
        schedulers = [make_scheduler(), make_scheduler()]
        for scheduler in schedulers:
            sync_periodic_jobs(scheduler)  # both processes sync at start
        while clock.now() <= T0 + timedelta(minutes=10):
            for scheduler in schedulers:
                scheduler.enqueue_jobs()
            if any(queue.count for queue in all_queues()):
                _run_jobs()  # also runs what those jobs enqueue (collection, sending)
            clock.move(STEP)

    assert [_starts(caplog, campaign_id) for campaign_id in ids] == [1] * len(ids)
    db.session.expire_all()
    assert all(db.session.get(Campaign, campaign_id).status != "scheduled" for campaign_id in ids)
    periodic = [job.id for job in schedulers[0].get_jobs() if job.meta.get("periodic")]
    assert sorted(periodic) == sorted(periodic_job_id(d) for d in periodic_jobs())


def test_a_scheduler_recreates_the_sweep_after_redis_was_emptied(app, test_redis):
    scheduler = make_scheduler()
    sync_periodic_jobs(scheduler)
    test_redis.flush()

    scheduler.enqueue_jobs()

    sweep_id = periodic_job_id(periodic_jobs()[0])
    assert sweep_id in scheduler  # scheduled again for its next run
    assert sweep_id in [job.id for queue in all_queues() for job in queue.jobs]  # and due now
