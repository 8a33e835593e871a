"""Benchmark of the report pages on PostgreSQL: 2,000 campaigns and 1,000,000 deliveries.

Seeds its own schema with COPY (psycopg 3), then times the campaign list, the
details page (first page of clients) and the dashboard through the Flask test
client with a logged-in admin, and prints p50/p95/p99. It measures; it asserts nothing.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python -m benchmarks.reports
"""
from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

os.environ.setdefault("PREVENTIVO_INSTANCE_DIR", tempfile.mkdtemp(prefix="preventivo-bench-"))
os.environ.setdefault("PREVENTIVO_ENV", "testing")

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
CAMPAIGNS = 2_000
DELIVERIES = 1_000_000
EMAILS_PER_READY_CLIENT = 2
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "40"))
PASSWORD = "senha-benchmark-123"
ADMIN_EMAIL = "bench@preventivo.test"
# Client outcomes: (outcome, share). Only ready clients have boletos and deliveries.
OUTCOME_SHARES = (("ready", 0.60), ("no_agreement", 0.20), ("nothing_due", 0.15), ("api_error", 0.03),
                  ("config_error", 0.02))


def _campaign_sizes(rng: random.Random, campaigns: int, ready_clients: int) -> list[int]:
    """Ready clients per campaign: uneven (log-normal), the first campaign 40x the average."""
    weights = [rng.lognormvariate(0, 0.8) for _ in range(campaigns)]
    weights[0] = 40 * statistics.mean(weights)
    total = sum(weights)
    sizes = [max(1, int(ready_clients * w / total)) for w in weights]
    sizes[0] += ready_clients - sum(sizes)
    return sizes


def _plan(campaigns: int, deliveries: int, now: datetime) -> list[dict]:
    """Every campaign's moment, status and client mix (past campaigns carry all the deliveries)."""
    rng = random.Random(42)
    moments = [now - timedelta(days=10)] + [now + timedelta(days=rng.uniform(-180, 30)) for _ in range(campaigns - 1)]
    past = [i for i, m in enumerate(moments) if m <= now]
    sizes = dict(zip(past, _campaign_sizes(rng, len(past), deliveries // EMAILS_PER_READY_CLIENT)))
    plan = []
    for index, scheduled in enumerate(moments):
        ready = sizes.get(index, 0)
        if scheduled > now:
            status = "scheduled"
            outcomes = {"pending": rng.randint(50, 800)}
        else:
            status = ("sending" if scheduled > now - timedelta(hours=6)
                      else rng.choices(("completed", "canceled", "failed"), (96, 3, 1))[0])
            total = max(1, round(ready / OUTCOME_SHARES[0][1]))
            outcomes = {"ready": ready, **{o: round(total * share) for o, share in OUTCOME_SHARES[1:]}}
        plan.append({"id": index + 1, "scheduled": scheduled, "status": status, "outcomes": outcomes})
    return plan


def _clients(plan: list[dict]):
    """(campaign, client id, line, outcome, emails, delivery states): the same sequence on every pass."""
    client_id = 0
    for campaign in plan:
        rng = random.Random(campaign["id"])
        line = 1
        for outcome, count in campaign["outcomes"].items():
            for _ in range(count):
                client_id += 1
                line += 1
                emails = (f"c{client_id}@exemplo.com.br", f"c{client_id}@trabalho.com.br")
                states = ()
                if outcome == "ready":
                    states = tuple(
                        "failed" if rng.random() < 0.03 else
                        ("sent" if campaign["status"] != "sending" or rng.random() < 0.5 else "pending")
                        for _ in emails)
                yield campaign, client_id, line, outcome, emails, states


def seed(url: str, schema: str, campaigns: int = CAMPAIGNS, deliveries: int = DELIVERIES) -> dict:
    """COPY every table in turn (one COPY at a time per connection), parents first."""
    import psycopg

    now = datetime.now(timezone.utc)
    plan = _plan(campaigns, deliveries, now)
    for campaign in plan:
        campaign["counters"] = dict.fromkeys(("pending", "no_agreement", "nothing_due", "ready", "api_error",
                                              "config_error", "sent", "failed"), 0)
    for campaign, _cid, _line, outcome, _emails, states in _clients(plan):
        counter = campaign["counters"]
        counter[outcome] += 1
        for state in states:
            counter[state] += 1
    started = time.perf_counter()
    with psycopg.connect(url, options=f"-csearch_path={schema}") as conn:
        cur = conn.cursor()
        types = cur.execute("SELECT id, operation_id FROM campaign_types ORDER BY id").fetchall()
        admin_id = cur.execute("SELECT id FROM users ORDER BY id LIMIT 1").fetchone()[0]
        with cur.copy("COPY campaigns (id, operation_id, campaign_type_id, scheduled_at, campaign_day, status, "
                      "source_filename, created_by_id, created_at, started_at, collected_at, finished_at, records, "
                      "emails_total, lines_rejected, agreements, boletos_total, boletos_selected, boletos_invalid, "
                      "clients_collected, clients_no_agreement, clients_nothing_due, clients_ready, clients_api_error, "
                      "clients_config_error, emails_sent, emails_failed, emails_pending) FROM STDIN") as copy:
            for c in plan:
                k, scheduled, status = c["counters"], c["scheduled"], c["status"]
                type_id, operation_id = types[(c["id"] - 1) % len(types)]
                records = sum(c["outcomes"].values())
                running = status != "scheduled"
                ready = k["ready"]
                copy.write_row((
                    c["id"], operation_id, type_id, scheduled, scheduled.date(), status, f"lote-{c['id']}.xlsx",
                    admin_id, scheduled - timedelta(days=1), scheduled if running else None,
                    scheduled + timedelta(minutes=20) if running else None,
                    scheduled + timedelta(hours=1) if status in ("completed", "canceled", "failed") else None,
                    records, records * 2, 0, ready, ready, ready, 0, records - k["pending"], k["no_agreement"],
                    k["nothing_due"], ready, k["api_error"], k["config_error"], k["sent"], k["failed"],
                    ready * EMAILS_PER_READY_CLIENT - k["sent"] - k["failed"],
                ))
        with cur.copy("COPY campaign_clients (id, campaign_id, cpf, emails, name, line, chunk_seq, outcome, error, "
                      "collected_at) FROM STDIN") as copy:
            for c, cid, line, outcome, emails, _ in _clients(plan):
                copy.write_row((cid, c["id"], f"{cid * 7919 % 10**11:011d}", "\n".join(emails), f"Cliente {cid}",
                                line, line // 500, outcome, "HTTP 503" if outcome == "api_error" else None,
                                None if outcome == "pending" else c["scheduled"]))
        ready_clients = [(c, cid, emails, states) for c, cid, _l, outcome, emails, states in _clients(plan)
                         if outcome == "ready"]
        with cur.copy("COPY agreements (id, campaign_id, client_id, external_id) FROM STDIN") as copy:
            for n, (c, cid, _e, _s) in enumerate(ready_clients, start=1):
                copy.write_row((n, c["id"], cid, f"AC{n}"))
        with cur.copy("COPY boletos (id, campaign_id, client_id, agreement_id, external_id, number, total, amount, "
                      "due_date, status, valid, selected) FROM STDIN") as copy:
            for n, (c, cid, _e, _s) in enumerate(ready_clients, start=1):
                copy.write_row((n, c["id"], cid, n, "P1", 1, 12, Decimal("150.00"), c["scheduled"].date(), "aberta",
                                True, True))
        delivery_id = 0
        with cur.copy("COPY deliveries (id, campaign_id, client_id, email, status, attempts, last_error, sent_at, "
                      "created_at) FROM STDIN") as copy:
            for c, cid, emails, states in ready_clients:
                for email, state in zip(emails, states):
                    delivery_id += 1
                    copy.write_row((delivery_id, c["id"], cid, email, state, 0 if state == "pending" else 1,
                                    "550 5.1.1 User unknown" if state == "failed" else None,
                                    c["scheduled"] if state == "sent" else None, c["scheduled"]))
        for table in ("campaigns", "campaign_clients", "agreements", "boletos", "deliveries"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
        conn.autocommit = True
        cur.execute("ANALYZE")
        clients = cur.execute("SELECT count(*) FROM campaign_clients").fetchone()[0]
    return {"campaigns": len(plan), "clients": clients, "agreements": len(ready_clients),
            "boletos": len(ready_clients), "deliveries": delivery_id,
            "seconds": round(time.perf_counter() - started, 1),
            "biggest_campaign_clients": sum(plan[0]["outcomes"].values())}


def percentiles(samples_ms: list[float]) -> dict:
    ordered = sorted(samples_ms)

    def pick(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 1)

    return {"p50": pick(50), "p95": pick(95), "p99": pick(99), "n": len(ordered)}


def time_get(client, url: str, samples: int) -> dict:
    for _ in range(3):  # warm caches and the connection pool
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return percentiles(timings)


def run(database_url: str | None = None, samples: int = SAMPLES, keep_schema: bool = False,
        reuse_schema: str | None = None, campaigns: int = CAMPAIGNS, deliveries: int = DELIVERIES) -> dict:
    """Seed a fresh schema (or reuse one kept by `--keep`), time the pages, drop the schema unless kept."""
    from cryptography.fernet import Fernet
    from sqlalchemy import create_engine, text

    from app import create_app
    from app.extensions import db

    url = database_url or os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or DEFAULT_URL
    schema = reuse_schema or f"pv_bench_reports_{uuid.uuid4().hex[:8]}"
    admin_engine = create_engine(url, isolation_level="AUTOCOMMIT")
    if not reuse_schema:
        with admin_engine.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    options = {"connect_args": {"options": f"-csearch_path={schema}"}, "pool_pre_ping": True}
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options,
                      "SECRET_KEY": "bench", "ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
                      "SERVER_NAME": "localhost", "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")})
    result: dict = {"schema": schema}
    try:
        with app.app_context():
            if reuse_schema:
                db.create_all()  # only what a newer model added (e.g. an index on a new table)
                result["seed"] = {"reused": schema}
            else:
                db.create_all()
                from app.models import User
                from app.seed import seed_reference_data

                seed_reference_data()
                admin = User(email=ADMIN_EMAIL, name="Benchmark", role="admin", active=True)
                admin.set_password(PASSWORD)
                db.session.add(admin)
                db.session.commit()
                db.session.remove()
                result["seed"] = seed(url, schema, campaigns, deliveries)
                print(f"seeded {result['seed']}", file=sys.stderr)

            client = app.test_client()
            page = client.get("/login").get_data(as_text=True)
            import re

            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            client.post("/login", data={"email": ADMIN_EMAIL, "password": PASSWORD, "csrf_token": token})
            typical = db.session.execute(text(
                "SELECT id FROM campaigns WHERE status = 'completed' AND records BETWEEN 300 AND 600 LIMIT 1")).scalar()
            pages = {
                "list (default period, 10 a page)": "/admin/campanhas/",
                "list (180 days, 100 a page, sort by Registros)":
                    f"/admin/campanhas/?data_inicial={(datetime.now() - timedelta(days=180)):%Y-%m-%d}"
                    "&por_pagina=100&ordem=registros",
                "list (search 'fase', last page)": "/admin/campanhas/?busca=fase&pagina=999",
                "details (typical campaign, first page)": f"/admin/campanhas/{typical}",
                "details (biggest campaign, first page)": "/admin/campanhas/1",
                "details (biggest campaign, failed filter)": "/admin/campanhas/1?resultado=failed",
                "dashboard": "/admin/",
                "progress.json (list rows)": "/admin/campanhas/progresso.json?ids=" + ",".join(map(str, range(1, 51))),
            }
            result["pages"] = {name: time_get(client, path, samples) for name, path in pages.items()}
            db.session.remove()
    finally:
        with app.app_context():
            db.engine.dispose()
        if not keep_schema:
            with admin_engine.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin_engine.dispose()
    return result


def main() -> None:
    reuse = sys.argv[sys.argv.index("--reuse") + 1] if "--reuse" in sys.argv else None
    result = run(keep_schema="--keep" in sys.argv or reuse is not None, reuse_schema=reuse)
    seed_info = result["seed"]
    if "reused" in seed_info:
        print(f"Reused schema {seed_info['reused']}")
    else:
        print(f"Schema {result['schema']}" + (" (kept)" if "--keep" in sys.argv else ""))
        print(f"Seeded {seed_info['campaigns']:,} campaigns, {seed_info['clients']:,} clients, "
          f"{seed_info['deliveries']:,} deliveries, {seed_info['boletos']:,} boletos in {seed_info['seconds']} s "
          f"(biggest campaign: {seed_info['biggest_campaign_clients']:,} clients)")
    print(f"{'page':50} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, p in result["pages"].items():
        print(f"{name:50} {p['p50']:>8} {p['p95']:>8} {p['p99']:>8}")


if __name__ == "__main__":
    main()
