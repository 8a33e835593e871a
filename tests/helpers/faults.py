"""Fault-injection helpers: worker processes on the test's stores, bounded waits, bulk campaigns, a faulty provider.

Workers run as real subprocesses (`workers.runner.run_worker`, the Procfile's worker) in their own
process group, so a test can `kill -9` a worker together with its work horse, like a dyno dying.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[2]
WORKER_CODE = "from workers.runner import run_worker; run_worker()"


# --- processes -------------------------------------------------------------------------------

def process_env(test_db, test_redis, tmp_dir: str, **settings) -> dict:
    """The environment of a worker process pointed at the test's database and Redis."""
    from tests.helpers.apps import TEST_KEY

    url = test_db.url
    if test_db.is_postgres:
        # The session's tables live in their own schema: the worker must look there first.
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{test_db.schema}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEND_", "PROVIDER_", "MAIL_"))}
    env.update(DATABASE_URL=url, REDIS_URL=test_redis.url, ENCRYPTION_KEYS=TEST_KEY, SECRET_KEY="test-secret",
               PREVENTIVO_INSTANCE_DIR=tmp_dir, PREVENTIVO_ENV="testing", PYTHONPATH=str(ROOT),
               LOG_LEVEL="INFO")
    env.update({name: _env_value(value) for name, value in settings.items()})
    return env


def _env_value(value) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


class WorkerPool:
    """Worker subprocesses; every one is killed (with its process group) when the pool closes."""

    def __init__(self, env: dict, log_dir: str):
        self.env = env
        self.log_dir = Path(log_dir)
        self.procs: list[subprocess.Popen] = []
        self.kills = 0

    def start(self, count: int = 1) -> list[subprocess.Popen]:
        started = []
        for _ in range(count):
            log = open(self.log_dir / f"worker-{len(self.procs) + 1}.log", "wb")
            proc = subprocess.Popen([sys.executable, "-c", WORKER_CODE], env=self.env, cwd=ROOT,
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            log.close()
            self.procs.append(proc)
            started.append(proc)
        return started

    def kill(self, proc: subprocess.Popen) -> None:
        """`kill -9` the worker and its work horse (the whole process group)."""
        _killpg(proc)
        self.kills += 1

    def alive(self) -> list[subprocess.Popen]:
        return [p for p in self.procs if p.poll() is None]

    def logs(self) -> str:
        return "\n".join(f"--- {path.name} ---\n{path.read_text(errors='replace')[-3000:]}"
                         for path in sorted(self.log_dir.glob("worker-*.log")))

    def close(self) -> None:
        for proc in self.procs:
            _killpg(proc)


def _killpg(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not wait for anyone
        pass


def wait_until(predicate, timeout: float, *, interval: float = 0.2, message: str = "condition", every=None):
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds.
    `every` (optional) runs between polls, e.g. the sweep."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        if every is not None:
            every()
        time.sleep(interval)


class Sweeper:
    """Runs the sweep in the test process every `period` seconds (the scheduler would, every minute)."""

    def __init__(self, period: float = 1.0):
        self.period = period
        self._last = 0.0
        self.runs = 0

    def __call__(self) -> None:
        if time.monotonic() - self._last < self.period:
            return
        from app.campaigns.sweep import run_sweep
        from app.extensions import db

        self._last = time.monotonic()
        run_sweep()
        db.session.rollback()
        self.runs += 1


# --- reading the database without holding it ------------------------------------------------

def delivery_statuses(campaign_id: int) -> Counter:
    from app.extensions import db
    from app.models import Delivery

    try:
        return Counter(db.session.execute(select(Delivery.status).where(Delivery.campaign_id == campaign_id)).scalars())
    finally:
        db.session.rollback()  # never keep a read transaction open while workers write (SQLite locks)


def campaign_status(campaign_id: int) -> str:
    from app.extensions import db
    from app.models import Campaign

    try:
        return db.session.execute(select(Campaign.status).where(Campaign.id == campaign_id)).scalar_one()
    finally:
        db.session.rollback()


# --- campaigns -----------------------------------------------------------------------------------

LINE = "00190500954014481606906809350314337370000000100"


def bulk_sending_campaign(deliveries: int, code: str = "CLARO", status: str = "sending") -> int:
    """A campaign with `deliveries` clients (one address, one selected boleto each), inserted in bulk."""
    from app.extensions import db
    from app.models import Agreement, Boleto, Campaign, CampaignClient, CampaignType, Delivery, Operation

    op = db.session.execute(select(Operation).filter_by(code=code)).scalar_one()
    ctype = db.session.execute(select(CampaignType).filter_by(operation_id=op.id)).scalars().first()
    when = datetime.now(timezone.utc)
    campaign = Campaign(operation_id=op.id, campaign_type_id=ctype.id, scheduled_at=when, campaign_day=when.date(),
                        status=status, source_filename="faults.xlsx", started_at=when, records=deliveries,
                        clients_ready=deliveries, boletos_selected=deliveries, emails_pending=deliveries)
    db.session.add(campaign)
    db.session.commit()
    cid = campaign.id
    db.session.execute(insert(CampaignClient), [
        {"campaign_id": cid, "cpf": f"{n:011d}", "name": f"Cliente {n}", "line": n + 2, "chunk_seq": n // 200,
         "emails": f"c{cid}-{n}@exemplo.com.br", "outcome": "ready"} for n in range(deliveries)])
    client_ids = db.session.execute(select(CampaignClient.id).where(CampaignClient.campaign_id == cid)
                                    .order_by(CampaignClient.id)).scalars().all()
    db.session.execute(insert(Agreement), [{"campaign_id": cid, "client_id": client_id, "external_id": f"AC-{client_id}"}
                                           for client_id in client_ids])
    agreements = dict(db.session.execute(select(Agreement.client_id, Agreement.id)
                                         .where(Agreement.campaign_id == cid)).all())
    today = date.today()
    db.session.execute(insert(Boleto), [
        {"campaign_id": cid, "client_id": client_id, "agreement_id": agreements[client_id],
         "external_id": f"BL-{client_id}", "number": 1, "total": 1, "amount": Decimal("150.00"), "due_date": today,
         "status": "aberta", "line": LINE, "valid": True, "selected": True} for client_id in client_ids])
    db.session.execute(insert(Delivery), [
        {"campaign_id": cid, "client_id": client_id, "email": f"c{cid}-{n}@exemplo.com.br", "status": "pending",
         "attempts": 0, "created_at": when} for n, client_id in enumerate(client_ids)])
    db.session.commit()
    return cid


def scheduled_campaign(provider_url: str | None, clients: int, scheduled_at: datetime, token: str) -> int:
    """A scheduled campaign of `clients` CPFs (one address each), as intake leaves it."""
    from tests.helpers.collection_factories import make_campaign

    rows = [(f"{52_000_000_000 + n:011d}", [f"s{n}@exemplo.com.br"]) for n in range(clients)]
    return make_campaign(provider_url, clients=rows, scheduled_at=scheduled_at, status="scheduled", token=token).id


# --- a provider that fails ------------------------------------------------------------------------

class FaultyProvider:
    """The sandbox behind a real HTTP server, answering 500 to a fraction of the agreement requests and
    stalling past the client's timeout on another fraction (seeded, so a run is reproducible)."""

    def __init__(self, *, error_rate: float, timeout_rate: float, stall_seconds: float, today: date, token: str,
                 seed: int = 11):
        from app.providers.sandbox import Sandbox
        from app.providers.server import ProviderServer, json_response

        self._json = json_response
        self.sandbox = Sandbox(token=token, today=today)
        self.error_rate, self.timeout_rate, self.stall_seconds = error_rate, timeout_rate, stall_seconds
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.counts: Counter = Counter()
        self.server = ProviderServer(self._respond).start()

    @property
    def url(self) -> str:
        return self.server.url

    def _respond(self, method, path, headers):
        if path.startswith("/v1/clientes/"):
            with self._lock:
                roll = self._random.random()
                self.counts["requests"] += 1
                if roll < self.error_rate:
                    self.counts["500"] += 1
                elif roll < self.error_rate + self.timeout_rate:
                    self.counts["stalled"] += 1
            if roll < self.error_rate:
                return self._json(500, {"erro": "falha simulada"})
            if roll < self.error_rate + self.timeout_rate:
                time.sleep(self.stall_seconds)
        return self.sandbox.responder(method, path, headers)

    def stop(self) -> None:
        self.server.stop()


def in_minutes(minutes: float) -> datetime:
    return datetime.now(timezone.utc) + timedelta(minutes=minutes)
