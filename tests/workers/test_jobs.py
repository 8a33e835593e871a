"""The job decorator: jobs run inside the app, and a job id is queued once."""
from rq import SimpleWorker

from app.campaigns.sweep import sweep_job
from app.jobs import MAINTENANCE, get_queue, get_redis


def test_delay_with_the_same_job_id_queues_once(app):
    sweep_job.delay(job_id="sweep-once")
    sweep_job.delay(job_id="sweep-once")
    assert get_queue(MAINTENANCE).count == 1


def test_a_job_runs_inside_the_app(app):
    job = sweep_job.delay()
    SimpleWorker([get_queue(MAINTENANCE)], connection=get_redis()).work(burst=True)
    job.refresh()
    assert job.get_status() == "finished"
