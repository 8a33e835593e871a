"""The job decorator: jobs run inside the app, and a job id is queued once."""
from rq import SimpleWorker

from workers.connection import get_redis
from workers.queues import MAINTENANCE, get_queue
from workers.tasks import sweep


def test_delay_with_the_same_job_id_queues_once(app):
    sweep.delay(job_id="sweep-once")
    sweep.delay(job_id="sweep-once")
    assert get_queue(MAINTENANCE).count == 1


def test_a_job_runs_inside_the_app(app):
    job = sweep.delay()
    SimpleWorker([get_queue(MAINTENANCE)], connection=get_redis()).work(burst=True)
    job.refresh()
    assert job.get_status() == "finished"
