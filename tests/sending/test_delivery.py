"""Sending deliveries through a real SMTP server: content, outcomes, exactly once."""

from app.campaigns import sending
from app.campaigns.sending import send_batch_job
from app.extensions import db
from app.mailer import claims, recovery
from app.models import Campaign, Delivery
from app.models.campaigns import CANCELED, COMPLETED
from tests.helpers.jobs import run_jobs
from tests.helpers.sending_factories import make_sending_campaign
from tests.helpers.sending_state import statuses


def test_each_delivery_is_sent_once_with_its_boletos_and_pdfs(claro_on_2, smtp_server):
    campaign = make_sending_campaign(clients=2, emails_per_client=2, boletos_per_client=2)

    sending.send_batch(campaign.id)

    assert sorted(smtp_server.recipients()) == sorted(d.email for d in db.session.execute(db.select(Delivery)).scalars())
    message = smtp_server.received[0].parsed()
    assert message["From"].addresses[0].addr_spec == "boletos@claro.exemplo.com.br"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "R$ 1.234,56" in text and "R$ 1.235,56" in html
    assert "00190.50095 40144.816069 06809.350314 3 37370000000100" in text
    assert "PIX copia e cola: 00020126580014br.gov.bcb.pix" in text
    pdfs = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(pdfs) == 2 and all(p.get_content().startswith(b"%PDF") for p in pdfs)


def test_the_stored_message_id_is_the_one_sent(claro_on_2, smtp_server):
    campaign = make_sending_campaign(clients=3)

    sending.send_batch(campaign.id)

    stored = {d.email: d.message_id for d in db.session.execute(db.select(Delivery)).scalars()}
    assert {m.rcpt_tos[0]: m.message_id for m in smtp_server.received} == stored


def test_sent_deliveries_complete_the_campaign_with_final_counters(claro_on_2, smtp_server):
    campaign = make_sending_campaign(clients=4)

    sending.send_batch(campaign.id)

    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign.id)
    assert (campaign.status, campaign.emails_sent, campaign.emails_pending, campaign.emails_failed) == (COMPLETED, 4, 0, 0)


def test_550_5_1_1_fails_that_delivery_only(claro_on_2, smtp_server):
    campaign = make_sending_campaign(clients=3)
    bad = f"cliente{campaign.id}-1-0@exemplo.com.br"
    smtp_server.reply("rcpt", "550 5.1.1 Mailbox unavailable", rcpt=bad)

    sending.send_batch(campaign.id)

    failed = db.session.execute(db.select(Delivery).where(Delivery.status == "failed")).scalars().all()
    assert [(d.email, d.attempts) for d in failed] == [(bad, 1)]
    assert "5.1.1" in failed[0].last_error
    assert statuses(campaign.id) == {"sent": 2, "failed": 1}
    assert binding_unchanged()


def binding_unchanged():
    from tests.helpers.sending_state import binding_service

    return binding_service() == "SERVICO_2"


def test_451_is_retried_later_and_delivered_once(claro_on_2, smtp_server, clock):
    campaign = make_sending_campaign(clients=2)
    target = f"cliente{campaign.id}-0-0@exemplo.com.br"
    smtp_server.reply("data", "451 4.3.0 Temporary failure", rcpt=target, times=1)

    sending.send_batch(campaign.id)
    delivery = db.session.execute(db.select(Delivery).where(Delivery.email == target)).scalar_one()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    sending.send_batch(campaign.id)  # not due yet: nothing happens
    assert smtp_server.recipients().count(target) == 0

    clock.move(minutes=2)
    sending.send_batch(campaign.id)

    assert smtp_server.recipients().count(target) == 1
    assert statuses(campaign.id) == {"sent": 2}


def test_transient_failures_are_bounded_then_failed_with_the_reason(claro_on_2, smtp_server, clock):
    campaign = make_sending_campaign(clients=1)
    smtp_server.reply("rcpt", "451 4.3.0 Temporary failure")

    for _ in range(6):
        sending.send_batch(campaign.id)
        clock.move(minutes=16)

    delivery = db.session.execute(db.select(Delivery)).scalar_one()
    assert (delivery.status, delivery.attempts) == ("failed", 5)
    assert "451" in delivery.last_error


def test_a_job_run_twice_sends_nothing_twice(claro_on_2, smtp_server):
    campaign = make_sending_campaign(clients=5, emails_per_client=2)
    send_batch_job.delay(campaign.id)
    send_batch_job.delay(campaign.id)
    run_jobs()
    send_batch_job.delay(campaign.id)
    run_jobs()

    recipients = smtp_server.recipients()
    assert len(recipients) == 10 and len(set(recipients)) == 10


def test_a_canceled_campaign_sends_nothing(claro_on_2, smtp_server):
    from app.campaigns.lifecycle import cancel

    campaign = make_sending_campaign(clients=3)
    cancel(campaign.id)

    sending.send_batch(campaign.id)

    assert smtp_server.count() == 0
    assert db.session.get(Campaign, campaign.id).status == CANCELED


def test_an_expired_lease_goes_back_to_pending_and_is_sent(claro_on_2, smtp_server, clock):
    campaign = make_sending_campaign(clients=2)
    token, ids = claims.claim(campaign.id, 10, lease_seconds=60)  # a worker that then died
    clock.move(minutes=2)

    assert recovery.reclaim_expired_leases() == 2
    sending.send_batch(campaign.id)

    assert len(smtp_server.recipients()) == 2


def test_enqueue_sending_runs_the_campaign_to_completion(claro_on_2, smtp_server, app):
    app.config["SEND_BATCH_SIZE"] = 3
    campaign = make_sending_campaign(clients=10)

    sending.enqueue_sending(campaign.id)
    run_jobs()

    assert len(set(smtp_server.recipients())) == 10
    assert db.session.get(Campaign, campaign.id).status == COMPLETED
