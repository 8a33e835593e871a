"""The sweep's steps, one behaviour each, against the real database and Redis (jobs are inspected, not run)."""
from datetime import timedelta

import pytest
from rq.job import Job

from app.campaigns import sending, sweep
from app.extensions import db
from app.jobs import COLLECT, SEND, get_queue, get_redis
from app.mailer import claims
from app.models import Campaign, CollectionChunk, Delivery, ServiceUsage
from app.timeutil import month_key, now_utc
from tests.helpers.collection_factories import make_campaign
from tests.helpers.faults import bulk_sending_campaign
from tests.helpers.sending_factories import bind, make_services


@pytest.fixture
def services(seeded, smtp_server):
    services = make_services(smtp_server, count=3)
    bind("CLARO", services["SERVICO_2"])
    return services


def _send_jobs(campaign_id=None):
    jobs = [j for j in get_queue(SEND).jobs if campaign_id is None or j.args[0] == campaign_id]
    return jobs


def _status(campaign_id):
    db.session.expire_all()
    return db.session.get(Campaign, campaign_id).status


# --- start ---------------------------------------------------------------------------------------

def test_a_due_campaign_whose_start_job_is_lost_is_started_once(seeded):
    due = make_campaign(None, scheduled_at=now_utc() - timedelta(minutes=2), status="scheduled").id
    later = make_campaign(None, scheduled_at=now_utc() + timedelta(hours=1), status="scheduled").id

    started = [sweep.start_due_campaigns(), sweep.start_due_campaigns()]

    assert started == [1, 0]
    assert _status(due) != "scheduled" and _status(later) == "scheduled"


# --- collection -----------------------------------------------------------------------------------

def test_a_chunk_whose_job_vanished_is_enqueued_again_but_a_held_chunk_is_not(seeded, test_redis):
    clients = [(f"{n:011d}", [f"c{n}@exemplo.com.br"]) for n in range(3)]
    lost = make_campaign("http://127.0.0.1:9", clients=clients).id
    held = make_campaign("http://127.0.0.1:9", clients=clients).id
    from app.campaigns.collection import begin_collection

    begin_collection(lost)
    begin_collection(held)
    db.session.execute(db.update(CollectionChunk).where(CollectionChunk.campaign_id == held)
                       .values(lease_until=now_utc() + timedelta(minutes=5)))
    db.session.commit()
    test_redis.flush()  # every queued chunk job is gone

    assert sweep.resume_collection() == 1
    assert [job.args for job in get_queue(COLLECT).jobs] == [(lost, 0)]
    assert sweep.resume_collection() == 0  # its job is queued now


# --- sending ----------------------------------------------------------------------------------------

def test_deliveries_of_a_dead_worker_go_back_to_pending_and_their_quota_slots_are_freed(services):
    campaign_id = bulk_sending_campaign(4)
    claims.claim(campaign_id, 4, lease_seconds=1)
    db.session.execute(db.update(Delivery).values(lease_until=now_utc() - timedelta(seconds=1),
                                                  service_id=services["SERVICO_2"].id))
    db.session.add(ServiceUsage(service_id=services["SERVICO_2"].id, month=month_key(), sent=0, reserved=4))
    db.session.commit()

    assert sweep.reclaim_expired_leases() == 4
    assert sweep.reclaim_expired_leases() == 0
    db.session.expire_all()
    assert set(db.session.execute(db.select(Delivery.status)).scalars()) == {"pending"}
    assert db.session.execute(db.select(ServiceUsage.reserved)).scalar() == 0


def test_a_live_claim_is_not_reclaimed(services):
    campaign_id = bulk_sending_campaign(2)
    claims.claim(campaign_id, 2, lease_seconds=600)

    assert sweep.reclaim_expired_leases() == 0


def test_a_paused_campaign_resumes_when_its_operation_has_an_eligible_service_again(services):
    campaign_id = bulk_sending_campaign(2, status="paused")

    assert sweep.resume_paused() == 1
    assert _status(campaign_id) == "sending" and _send_jobs(campaign_id)


def test_a_paused_campaign_stays_paused_while_no_service_is_eligible(services):
    for name in ("SERVICO_2", "SERVICO_3"):
        services[name].active = False
    db.session.commit()
    campaign_id = bulk_sending_campaign(2, status="paused")

    assert sweep.resume_paused() == 0
    assert _status(campaign_id) == "paused"


def test_a_campaign_with_due_deliveries_and_no_send_job_gets_exactly_one(services):
    campaign_id = bulk_sending_campaign(3)

    assert [sweep.redispatch_due_campaigns(), sweep.redispatch_due_campaigns()] == [1, 0]
    assert len(_send_jobs(campaign_id)) == 1


def test_a_campaign_being_sent_gets_no_extra_job(services):
    campaign_id = bulk_sending_campaign(3)
    claims.claim(campaign_id, 1, lease_seconds=600)  # a live batch holds one delivery, two wait for it

    assert sweep.redispatch_due_campaigns() == 0


def test_a_send_job_left_started_by_a_killed_worker_does_not_block_the_campaign(services):
    campaign_id = bulk_sending_campaign(3)
    sending.enqueue_sending(campaign_id)
    for job in _send_jobs(campaign_id):  # a worker took them, then died with kill -9
        get_queue(SEND).remove(job)
        job.set_status("started")

    assert sweep.redispatch_due_campaigns() == 1
    fresh = _send_jobs(campaign_id)
    assert len(fresh) == 1 and Job.fetch(fresh[0].id, connection=get_redis()).get_status() == "queued"


def test_deliveries_waiting_for_their_retry_time_are_not_dispatched_early(services):
    campaign_id = bulk_sending_campaign(2)
    db.session.execute(db.update(Delivery).values(next_attempt_at=now_utc() + timedelta(minutes=4)))
    db.session.commit()

    assert sweep.redispatch_due_campaigns() == 0


# --- completion -----------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["sending", "paused"])
def test_a_campaign_whose_work_is_done_completes(services, status):
    campaign_id = bulk_sending_campaign(2, status=status)
    db.session.execute(db.update(Delivery).values(status="failed"))
    db.session.commit()

    assert sweep.complete_finished_campaigns() == 1
    assert _status(campaign_id) == "completed"


def test_a_campaign_with_open_deliveries_does_not_complete(services):
    campaign_id = bulk_sending_campaign(2)

    assert sweep.complete_finished_campaigns() == 0
    assert _status(campaign_id) == "sending"


# --- the whole sweep --------------------------------------------------------------------------------

def test_a_second_sweep_right_after_the_first_changes_nothing(services):
    make_campaign(None, scheduled_at=now_utc() - timedelta(minutes=1), status="scheduled")
    bulk_sending_campaign(2)
    done = bulk_sending_campaign(1, status="paused")
    db.session.execute(db.update(Delivery).where(Delivery.campaign_id == done).values(status="sent"))
    db.session.commit()
    sweep.run_sweep()

    assert set(sweep.run_sweep().values()) == {0}


# --- settings the sweep and the fault tests rely on ---------------------------------------------------

def test_a_short_lease_is_renewed_well_before_it_expires():
    assert claims.renew_every(3) == 1 and claims.renew_every(600) == claims.LEASE_RENEW_SECONDS


def test_retry_waits_follow_the_configured_backoff_and_the_last_one_repeats(app):
    app.config["SEND_BACKOFF_SECONDS"] = (1, 5)

    assert [claims.backoff_seconds(n) for n in (1, 2, 3, 4)] == [1, 5, 5, 5]
