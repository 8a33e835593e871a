"""Several SMTP sessions per service, against real worker processes and a relay that takes its time.

`max_connections` is never exceeded across two workers (counted at the server), a killed worker's
session slots come back within their lease, `max_per_minute` holds across workers (measured at the
server), and a relay that answers "450 4.7.1 Error: too much mail" past a rate gets every message,
with no recipient's attempt spent, at a pace that settles under its limit. Two workers need
PostgreSQL (SQLite has one writer: one worker, one session per job), so the SQLite pass runs the
same scenarios with one worker.
"""
import signal
import subprocess
import sys
import time

import pytest

from app.campaigns.sending import enqueue_sending
from app.extensions import db
from app.jobs.limits import SharedSemaphore
from app.models import Delivery
from tests.helpers.faults import ROOT, Sweeper, bulk_sending_campaign, campaign_status, delivery_statuses, wait_until
from tests.helpers.stores import postgres_url

pytestmark = pytest.mark.slow

WORKERS = 2 if postgres_url() else 1


def _sessions(services, name: str, **fields) -> None:
    for field, value in fields.items():
        setattr(services[name], field, value)
    db.session.commit()


@pytest.mark.worker_settings(SEND_BATCH_SIZE=10, SEND_PARALLEL_JOBS=2)
def test_max_connections_is_never_exceeded_across_two_workers(app, services, smtp_server, worker_pool):
    _sessions(services, "SERVICO_2", max_connections=4)
    smtp_server.state.data_delay = 0.05  # a relay that takes its time: sessions overlap
    campaign_id = bulk_sending_campaign(160)
    worker_pool.start(WORKERS)
    enqueue_sending(campaign_id)

    wait_until(lambda: campaign_status(campaign_id) == "completed", 120, message="the campaign to complete",
               every=Sweeper(period=1.0))

    assert smtp_server.state.max_open_sessions <= 4
    if postgres_url():
        assert smtp_server.state.max_open_sessions >= 2  # the sessions really ran side by side
    ids = smtp_server.message_ids()
    assert delivery_statuses(campaign_id) == {"sent": 160} and len(ids) == len(set(ids)) == 160


HOLDER = """
import sys, time
from redis import Redis
from app.jobs.limits import SharedSemaphore
semaphore = SharedSemaphore(sys.argv[2], 3, lease_seconds=float(sys.argv[3]), redis=Redis.from_url(sys.argv[1]))
held = [semaphore.acquire() for _ in range(3)]
print(sum(h is not None for h in held), flush=True)
time.sleep(600)
"""


def test_a_killed_workers_session_slots_come_back_within_the_lease(app, test_redis):
    key, lease = "preventivo:smtp-sessions:test-killed", 2.0
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, test_redis.url, key, str(lease)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "3"  # every slot taken by the "worker"
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        semaphore = SharedSemaphore(key, 3, lease_seconds=lease)
        assert semaphore.acquire() is None  # still leased to the dead process
        started = time.monotonic()
        taken = [semaphore.acquire(wait_seconds=lease + 2) for _ in range(3)]
    finally:
        holder.kill()
    assert all(taken) and time.monotonic() - started <= lease + 1


@pytest.mark.worker_settings(SEND_BATCH_SIZE=5, SEND_PARALLEL_JOBS=2)
def test_max_per_minute_holds_across_two_workers(app, services, smtp_server, worker_pool):
    _sessions(services, "SERVICO_2", max_connections=4, max_per_minute=240)  # 4 a second
    campaign_id = bulk_sending_campaign(24)
    worker_pool.start(WORKERS)
    enqueue_sending(campaign_id)

    wait_until(lambda: campaign_status(campaign_id) == "completed", 120, message="the campaign to complete",
               every=Sweeper(period=1.0))

    times = sorted(smtp_server.state.accepted_at)
    assert len(times) == 24
    assert times[-1] - times[0] >= 23 / 4 * 0.9  # 24 messages at 4 a second take at least ~5.75 s
    assert max(sum(1 for t in times if start <= t < start + 2.0) for start in times) <= 2 * 4 + 1


@pytest.mark.worker_settings(SEND_BATCH_SIZE=10, SEND_PARALLEL_JOBS=2, SEND_THROTTLE_BACKOFF_SECONDS=1,
                             SEND_THROTTLE_MAX_BACKOFF_SECONDS=4)
def test_a_relay_that_says_too_much_mail_gets_everything_at_a_pace_under_its_limit(
        app, services, smtp_server, worker_pool):
    _sessions(services, "SERVICO_2", max_connections=4)
    smtp_server.state.mail_rate_limit = (5, 1.0, "450 4.7.1 Error: too much mail from 127.0.0.1")  # 5 a second
    campaign_id = bulk_sending_campaign(60)
    worker_pool.start(WORKERS)
    enqueue_sending(campaign_id)

    wait_until(lambda: campaign_status(campaign_id) == "completed", 240, message="the campaign to complete",
               every=Sweeper(period=1.0))

    assert delivery_statuses(campaign_id) == {"sent": 60}
    assert db.session.execute(db.select(db.func.max(Delivery.attempts))).scalar() == 0  # no attempt spent
    refused = sum(1 for _stage, _user, reply in smtp_server.state.refusals if "too much mail" in reply)
    assert refused >= 1  # the relay did push back
    last = sorted(smtp_server.state.accepted_at)[-20:]
    assert (len(last) - 1) / (last[-1] - last[0]) <= 5  # settled: the last 20 at or under 5 a second
    ids = smtp_server.message_ids()
    assert len(ids) == len(set(ids)) == 60
