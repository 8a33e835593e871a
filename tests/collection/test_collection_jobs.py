"""Collection as RQ jobs: chunks, idempotency, the hand-over to sending, the sweep."""
from datetime import timedelta

from rq import SimpleWorker

from app.campaigns import lifecycle
from app.campaigns.collection import begin_collection, collect_chunk, resume_collection, start_campaign
from app.campaigns.collection_chunks import plan_chunks
from app.extensions import db
from app.jobs import COLLECT, get_queue, get_redis
from app.models import Agreement, Boleto, Campaign, CampaignClient, CollectionChunk, Delivery
from app.models.campaigns import SCHEDULED
from app.timeutil import local_date, now_utc
from tests.helpers.collection_factories import answer, cpf_of, make_campaign, parcela


def _script_ready(provider, cpfs):
    d = local_date(now_utc())
    for cpf in cpfs:
        provider.script[cpf] = [(200, answer(cpf, ("AC-1", [parcela(f"BL-{cpf}", d), parcela(f"BL2-{cpf}", d + timedelta(days=7))])))]


def _rows():
    return (Agreement.query.count(), Boleto.query.count(), Delivery.query.count(),
            sorted((c.cpf, c.outcome) for c in CampaignClient.query))


def _work():
    SimpleWorker([get_queue(COLLECT)], connection=get_redis()).work(burst=True)


def test_starting_a_campaign_collects_every_chunk_through_rq_and_moves_to_sending(seeded, provider):
    cpfs = [cpf_of(n) for n in range(1, 8)]
    _script_ready(provider, cpfs[:5])
    campaign = make_campaign(provider.url, clients=[(c, [f"{c}@x.com", f"{c}@y.com"]) for c in cpfs],
                             status=SCHEDULED, chunk_size=3, scheduled_at=now_utc() - timedelta(seconds=1))
    assert start_campaign(campaign.id)
    assert len(get_queue(COLLECT).job_ids) == 3
    _work()
    c = Campaign.query.filter_by(id=campaign.id).one()
    assert c.status == "sending" and c.collected_at is not None
    assert (c.clients_collected, c.clients_ready, c.clients_no_agreement) == (7, 5, 2)
    assert (c.agreements, c.boletos_selected, c.emails_pending) == (5, 10, 10)
    assert CollectionChunk.query.filter_by(status="done").count() == 3


def test_a_chunk_run_twice_leaves_the_same_rows(seeded, provider):
    cpfs = [cpf_of(n) for n in range(1, 6)]
    _script_ready(provider, cpfs)
    campaign = make_campaign(provider.url, clients=[(c, [f"{c}@x.com"]) for c in cpfs])
    plan_chunks(campaign.id)
    collect_chunk(campaign.id, 0)
    first = _rows()
    counters = Campaign.query.filter_by(id=campaign.id).one().boletos_total
    # Force a rerun as if the job had been redelivered, chunk still pending.
    db.session.execute(db.update(CollectionChunk).values(status="pending"))
    db.session.execute(db.update(Campaign).values(status="collecting"))
    db.session.commit()
    collect_chunk(campaign.id, 0)
    assert _rows() == first
    assert Campaign.query.filter_by(id=campaign.id).one().boletos_total == counters == 10


def test_a_rerun_after_a_crash_collects_only_the_clients_still_pending(seeded, provider):
    cpfs = [cpf_of(n) for n in range(1, 5)]
    _script_ready(provider, cpfs)
    campaign = make_campaign(provider.url, clients=[(c, [f"{c}@x.com"]) for c in cpfs])
    plan_chunks(campaign.id)
    # Simulate a first run that stored one client before dying.
    db.session.execute(db.update(CampaignClient).where(CampaignClient.cpf == cpfs[0]).values(outcome="no_agreement"))
    db.session.commit()
    collect_chunk(campaign.id, 0)
    assert len({path for _, path in provider.calls}) == 3
    assert CampaignClient.query.filter_by(cpf=cpfs[0]).one().outcome == "no_agreement"


def test_a_big_campaign_with_one_chunk_seq_is_rechunked(seeded, provider):
    campaign = make_campaign(provider.url, clients=[(cpf_of(n), ["a@x.com"]) for n in range(450)], chunk_size=10_000)
    assert plan_chunks(campaign.id) == [0, 1, 2]
    assert CampaignClient.query.filter_by(chunk_seq=2).count() == 50


def test_a_campaign_with_nothing_to_send_completes(seeded, provider):
    campaign = make_campaign(provider.url, clients=[(cpf_of(1), ["a@x.com"])])
    begin_collection(campaign.id)
    _work()
    assert Campaign.query.filter_by(id=campaign.id).one().status == "completed"


def test_a_canceled_campaign_is_not_collected(seeded, provider):
    campaign = make_campaign(provider.url, clients=[(cpf_of(1), ["a@x.com"])])
    plan_chunks(campaign.id)
    lifecycle.cancel(campaign.id)
    collect_chunk(campaign.id, 0)
    assert provider.calls == [] and CampaignClient.query.one().outcome == "pending"


def test_the_sweep_reenqueues_a_chunk_whose_job_vanished(seeded, provider):
    campaign = make_campaign(provider.url, clients=[(cpf_of(1), ["a@x.com"])])
    begin_collection(campaign.id)
    get_redis().flushdb()  # Redis lost its work
    assert resume_collection() == 1
    _work()
    assert Campaign.query.filter_by(id=campaign.id).one().status == "completed"


def test_the_sweep_reenqueues_a_chunk_whose_lease_expired(seeded, provider):
    campaign = make_campaign(provider.url, clients=[(cpf_of(1), ["a@x.com"])])
    begin_collection(campaign.id)
    get_queue(COLLECT).empty()
    db.session.execute(db.update(CollectionChunk).values(lease_until=now_utc() - timedelta(seconds=1)))
    db.session.commit()
    assert resume_collection() == 1
    _work()
    assert CollectionChunk.query.one().status == "done"


def _chunk_job_started(minutes_ago: float):
    """The chunk's job taken by a worker `minutes_ago`, with no lease taken (a kill -9 in between)."""
    from rq.job import Job

    job = Job.fetch(CollectionChunk.query.one().job_id, connection=get_redis())
    get_queue(COLLECT).remove(job)
    job.set_status("started")
    job.started_at = now_utc() - timedelta(minutes=minutes_ago)
    job.save()


def test_the_sweep_reenqueues_a_chunk_whose_worker_died_before_taking_its_lease(seeded, provider):
    campaign = make_campaign(provider.url, clients=[(cpf_of(1), ["a@x.com"])])
    begin_collection(campaign.id)
    _chunk_job_started(minutes_ago=2)

    assert resume_collection() == 1
    _work()
    assert CollectionChunk.query.one().status == "done"


def test_the_sweep_leaves_a_chunk_job_that_has_just_started_alone(seeded, provider):
    campaign = make_campaign(provider.url, clients=[(cpf_of(1), ["a@x.com"])])
    begin_collection(campaign.id)
    _chunk_job_started(minutes_ago=0)

    assert resume_collection() == 0


def test_the_sweep_leaves_a_leased_chunk_alone(seeded, provider):
    campaign = make_campaign(provider.url, clients=[(cpf_of(1), ["a@x.com"])])
    begin_collection(campaign.id)
    db.session.execute(db.update(CollectionChunk).values(lease_until=now_utc() + timedelta(minutes=5)))
    db.session.commit()
    get_redis().flushdb()
    assert resume_collection() == 0


def test_clients_stored_meanwhile_by_another_run_are_not_stored_twice(seeded, provider):
    from app.campaigns.collection_store import store_batch
    from app.campaigns.selection import selected_due_dates
    from app.providers.client import FOUND, FetchResult
    from app.providers.contract import parse_answer

    cpfs = [cpf_of(n) for n in range(1, 4)]
    _script_ready(provider, cpfs)
    campaign = make_campaign(provider.url, clients=[(c, [f"{c}@x.com"]) for c in cpfs])
    plan_chunks(campaign.id)
    rows = db.session.execute(db.select(CampaignClient.id, CampaignClient.cpf, CampaignClient.emails)).all()
    d = local_date(now_utc())
    batch = [(row, FetchResult(row.cpf, FOUND, answer=parse_answer(row.cpf, provider.script[row.cpf][0][1])))
             for row in rows]
    collect_chunk(campaign.id, 0)  # "the other worker" stores all three first
    before = _rows()
    chunk_id = CollectionChunk.query.one().id
    store_batch(campaign.id, chunk_id, batch[:2], selected_due_dates(d, [0, 7]))
    assert _rows() == before
    assert Campaign.query.filter_by(id=campaign.id).one().clients_collected == 3


def test_the_sweep_runs_the_collection_step(seeded, provider):
    from app.campaigns.sweep import run_sweep

    campaign = make_campaign(provider.url, clients=[(cpf_of(1), ["a@x.com"])])
    assert run_sweep()["resume_collection"] == 1  # no chunks yet: planned and enqueued
    _work()
    assert Campaign.query.filter_by(id=campaign.id).one().status == "completed"


def test_an_operation_without_a_provider_url_is_a_config_error_with_one_alert(seeded):
    from app.models import Alert

    campaign = make_campaign(None, clients=[(cpf_of(n), ["a@x.com"]) for n in range(1, 4)])
    plan_chunks(campaign.id)
    collect_chunk(campaign.id, 0)
    assert CampaignClient.query.filter_by(outcome="config_error").count() == 3
    assert Alert.query.filter_by(kind="provider_auth").count() == 1
