"""Several SMTP sessions of one job against one relay (threads; PostgreSQL: SQLite runs one session per job).

A quota reply on one session stops the service's other sessions: one rotation, one alert, nothing over
the quota, nothing lost or sent twice. A job starts no more sessions than its process's database pool can serve."""
from contextlib import ExitStack

from app.campaigns import sending
from app.extensions import db
from app.mailer.sessions import session_count
from app.models import Delivery, Rotation, ServiceUsage
from tests.helpers.sending_factories import bind, make_sending_campaign
from tests.helpers.sending_state import alerts, statuses


def test_a_quota_reply_on_one_session_moves_every_session_once(services, smtp_server):
    for name in ("SERVICO_2", "SERVICO_3"):
        services[name].max_connections = 5
    db.session.commit()
    bind("CLARO", services["SERVICO_2"])
    smtp_server.state.data_delay = 0.02
    smtp_server.set_quota("servico_2", 12, reply="452 4.5.3 Daily message limit exceeded", stage="rcpt")
    campaign = make_sending_campaign(clients=40)

    sending.send_batch(campaign.id)
    sending.send_batch(campaign.id)  # what the chained job would do with the rest

    moves = db.session.execute(db.select(Rotation.from_service_id, Rotation.to_service_id)).all()
    assert moves == [(services["SERVICO_2"].id, services["SERVICO_3"].id)]
    assert len(alerts("quota_exhausted")) == 1
    # The server checks its quota at RCPT and counts at DATA, so sessions in flight together may pass it: what
    # counts is that our usage equals what each service accepted, across sessions.
    usage = dict(db.session.execute(db.select(ServiceUsage.service_id, ServiceUsage.sent)).all())
    assert usage[services["SERVICO_2"].id] == smtp_server.count("servico_2") >= 12
    assert usage[services["SERVICO_3"].id] == smtp_server.count("servico_3")
    assert statuses(campaign.id) == {"sent": 40}
    assert db.session.execute(db.select(db.func.max(Delivery.attempts))).scalar() == 0
    ids = smtp_server.message_ids()
    assert len(ids) == len(set(ids)) == 40


def test_a_job_never_starts_more_sessions_than_one_process_drives(app, services):
    services["SERVICO_2"].max_connections = 50
    db.session.commit()
    expected = app.config["SEND_SESSIONS_PER_PROCESS"] if db.engine.dialect.name == "postgresql" else 1
    assert session_count(services["SERVICO_2"], due=10_000) == expected


def test_the_database_pool_holds_both_connections_of_every_session_a_job_starts(app, services):
    # A session holds its own connection and its recorder's; the job's thread keeps one more. A pool smaller
    # than that leaves sessions waiting a whole batch for a connection (QueuePool would time out here).
    services["SERVICO_2"].max_connections = 50
    db.session.commit()
    needed = 2 * session_count(services["SERVICO_2"], due=10_000) + 1
    with ExitStack() as stack:
        connections = [stack.enter_context(db.engine.connect()) for _ in range(needed)]
        assert all(c.exec_driver_sql("SELECT 1").scalar() == 1 for c in connections)
