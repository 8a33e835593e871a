"""A relay's rate reply paces its service from what every worker was sending, measured in Redis.

A worker refused the moment it started (before it sent anything itself) must not guess: the pace comes
from the service's acceptances across workers, and with none anywhere it backs off without a pace.
"""
from types import SimpleNamespace

import pytest
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from app.campaigns import sending
from app.jobs import SEND, get_redis
from app.mailer import throttle
from app.mailer.throttle import Throttle
from tests.helpers.sending_factories import make_sending_campaign
from tests.helpers.sending_state import statuses as delivery_statuses

REPLY = "450 4.7.1 Error: too much mail from 127.0.0.1"


@pytest.fixture
def service(app):
    return SimpleNamespace(id=4242, name="SERVICO_9", max_per_minute=0)


@pytest.fixture
def this_process_sent_nothing():
    """The acceptances below were another worker's: this process's own measure stays empty."""
    yield
    throttle._recent.clear()


def test_a_refusal_paces_the_service_from_what_every_worker_was_sending(service, this_process_sent_nothing):
    other_worker = Throttle(service, redis=get_redis())
    for _ in range(50):
        other_worker.accepted()
    throttle._recent.clear()

    refused_here = Throttle(service, redis=get_redis())
    refused_here.refused(REPLY)

    # 50 messages within a second or two: 1,500 to 3,000 a minute, halved. Measured by this process alone it
    # would be nothing, and the pace the slowest one (six a minute).
    assert refused_here.rate >= 600
    assert refused_here.paused_for() > 0


def test_a_refusal_before_anything_was_accepted_backs_off_without_a_pace(service, this_process_sent_nothing):
    refused_here = Throttle(service, redis=get_redis())
    refused_here.refused(REPLY)

    assert refused_here.paused_for() > 0
    assert refused_here.rate == 0  # free once the backoff ends: the next refusal will have a measure


def test_a_refusal_after_a_paced_stretch_halves_the_pace(service, this_process_sent_nothing):
    first = Throttle(service, redis=get_redis())
    for _ in range(20):
        first.accepted()
    first.refused(REPLY)
    paced = first.rate
    get_redis().hset(throttle.STATE_PREFIX + str(service.id), "until", "0")  # the backoff is over

    second = Throttle(service, redis=get_redis())
    second.refused(REPLY)

    assert second.rate == pytest.approx(paced / 2)


def test_the_job_that_returns_after_a_backoff_schedules_the_next_return_when_throttled_again(
        services, claro_on_2, smtp_server, clock):
    smtp_server.reply("mail", REPLY)
    campaign = make_sending_campaign(clients=3)
    sending.send_batch(campaign.id)
    (first,) = _returns_scheduled(campaign.id)
    clock.move(seconds=6)  # the backoff (5 s) is over: the worker runs the job...
    first.set_status("started")

    sending.send_batch(campaign.id)  # ...and the relay refuses again

    returns = _returns_scheduled(campaign.id)
    assert any(job.id != first.id for job in returns)  # the next return, at the end of the new backoff
    assert delivery_statuses(campaign.id) == {"pending": 3}


def _returns_scheduled(campaign_id: int) -> list[Job]:
    registry = ScheduledJobRegistry(SEND, connection=get_redis())
    jobs = Job.fetch_many(registry.get_job_ids(), connection=get_redis())
    return [job for job in jobs if job is not None and job.args == (campaign_id,)]
