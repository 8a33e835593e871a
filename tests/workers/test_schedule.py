"""Periodic jobs are data with stable ids, synced idempotently when the scheduler starts."""
from app.jobs import make_scheduler
from workers.schedule import periodic_job_id, periodic_jobs, sync_periodic_jobs

SWEEP = {"func": "app.campaigns.sweep.sweep_job", "interval": 60, "queue": "maintenance", "timeout": 300}
OTHER = {"func": "app.campaigns.sweep.sweep_job", "interval": 3600, "queue": "maintenance", "timeout": 300}


def periodic_ids(scheduler):
    return sorted(job.id for job in scheduler.get_jobs() if job.meta.get("periodic"))


def test_the_sweep_is_declared_every_minute(app):
    assert any(d["func"] == "app.campaigns.sweep.sweep_job" and d["interval"] == 60 for d in periodic_jobs())


def test_ids_are_stable_and_follow_the_definition():
    assert periodic_job_id(SWEEP) == periodic_job_id(dict(SWEEP))
    assert periodic_job_id(SWEEP) != periodic_job_id(OTHER)


def test_syncing_twice_schedules_each_job_once(app):
    scheduler = make_scheduler()
    sync_periodic_jobs(scheduler, [SWEEP])
    second = sync_periodic_jobs(scheduler, [SWEEP])
    assert second == {"added": [], "removed": []}
    assert periodic_ids(scheduler) == [periodic_job_id(SWEEP)]


def test_a_job_no_longer_declared_is_removed(app):
    scheduler = make_scheduler()
    sync_periodic_jobs(scheduler, [SWEEP, OTHER])
    sync_periodic_jobs(scheduler, [SWEEP])
    assert periodic_ids(scheduler) == [periodic_job_id(SWEEP)]


def test_two_schedulers_starting_agree_on_one_set(app):
    sync_periodic_jobs(make_scheduler(), [SWEEP])
    sync_periodic_jobs(make_scheduler(), [SWEEP])
    assert periodic_ids(make_scheduler()) == [periodic_job_id(SWEEP)]
