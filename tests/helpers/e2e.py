"""The product as `make run` starts it (devtools/run.py), for the end-to-end tests.

`Product.start()` runs `python -m devtools.run` on free ports, a temporary
instance folder and its own database (a SQLite file, or a fresh schema on
TEST_DATABASE_URL), with an embedded Redis; it waits for /healthz and always
stops every process it started (by pid) in `stop()`.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADMIN_EMAIL = "admin@preventivo.e2e"
OPERATOR_EMAIL = "operador@preventivo.e2e"
PASSWORD = "senha-e2e-123"
START_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def descendants(pid: int) -> list[int]:
    tree, found, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[-1][0] != "Z"
    except OSError:
        return False


class Product:
    def __init__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="preventivo-e2e-"))
        self.ports = {name: free_port() for name in ("web", "mail", "sandbox", "redis")}
        self.url = f"http://127.0.0.1:{self.ports['web']}"
        self.log_path = self.tmp / "product.log"
        self.process: subprocess.Popen | None = None
        self._pg_schema = None
        self.keep_files = False  # set on a test failure: the log and screenshots stay for reading
        self.env = self._env()

    def _database_url(self) -> str:
        pg = os.environ.get("TEST_DATABASE_URL")
        if not pg:
            return f"sqlite:///{self.tmp / 'e2e.db'}"
        from sqlalchemy import create_engine, text

        pg = pg.replace("postgres://", "postgresql://", 1)
        self._pg_url = pg
        self._pg_schema = f"pv_e2e_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        engine = create_engine(pg, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self._pg_schema}"'))
        engine.dispose()
        return f"{pg}{'&' if '?' in pg else '?'}options=-csearch_path%3D{self._pg_schema}"

    def _env(self) -> dict:
        env = {k: v for k, v in os.environ.items()
               if k not in ("REDIS_URL", "DATABASE_URL", "TEST_DATABASE_URL", "SECRET_KEY", "ENCRYPTION_KEYS")}
        env.update({
            "PREVENTIVO_ENV": "development",
            "PREVENTIVO_INSTANCE_DIR": str(self.tmp / "instance"),
            "DATABASE_URL": self._database_url(),
            "PORT": str(self.ports["web"]),
            "MAIL_CATCHER_PORT": str(self.ports["mail"]),
            "SANDBOX_PORT": str(self.ports["sandbox"]),
            "EMBEDDED_REDIS_PORT": str(self.ports["redis"]),
            "SCHEDULER_INTERVAL": "1",
            "SWEEP_INTERVAL": "2",
            "DEMO_QUOTA": "",
            # A slow creditor and few parallel requests: a campaign stays running for some seconds,
            # so the list page is seen polling its progress.
            "SANDBOX_LATENCY": "1.0",
            "PROVIDER_CONCURRENCY": "2",
            "ADMIN_EMAIL": ADMIN_EMAIL,
            "ADMIN_PASSWORD": PASSWORD,
            "ALERT_EMAILS": "alertas@preventivo.e2e",
            "PYTHONUNBUFFERED": "1",
        })
        return env

    def start(self) -> "Product":
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen([sys.executable, "-m", "devtools.run"], cwd=ROOT, env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"make run exited with {self.process.returncode}:\n{self.log_tail()}")
            if self.healthy():
                self.flask("users", "create", OPERATOR_EMAIL, "--role", "operator", "--password", PASSWORD,
                           "--name", "Operadora Ana")
                return self
            time.sleep(0.3)
        raise RuntimeError(f"/healthz not ok after {START_TIMEOUT:.0f}s:\n{self.log_tail()}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=2) as resp:
                return json.load(resp).get("status") == "ok"
        except Exception:
            return False

    def flask(self, *args: str) -> str:
        env = dict(self.env, REDIS_URL=f"redis://127.0.0.1:{self.ports['redis']}/0")
        result = subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "wsgi", *args], cwd=ROOT,
                                env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def create_campaign(self, operation: str, campaign_type: str, csv_text: str, scheduled_at: str) -> dict:
        """A campaign through the JSON API (as an integration would), with a fresh admin token."""
        import httpx

        token = self.flask("users", "token", ADMIN_EMAIL).strip()
        response = httpx.post(f"{self.url}/api/v1/campaigns", headers={"Authorization": f"Bearer {token}"},
                              data={"operation": operation, "campaign_type": campaign_type,
                                    "scheduled_at": scheduled_at},
                              files={"file": ("api.csv", csv_text.encode(), "text/csv")}, timeout=30)
        assert response.status_code == 201, response.text
        return response.json()

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        try:
            if self.process is not None and self.process.poll() is None:
                family = descendants(self.process.pid)
                self.process.send_signal(signal.SIGTERM)  # honcho stops its processes
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=5)
                deadline = time.monotonic() + 5
                while any(_alive(p) for p in family) and time.monotonic() < deadline:
                    time.sleep(0.1)
                for pid in family:
                    if _alive(pid):
                        try:
                            os.kill(pid, signal.SIGKILL)
                        except OSError:
                            pass
        finally:
            self._drop_schema()
            if not self.keep_files:
                import shutil

                shutil.rmtree(self.tmp, ignore_errors=True)

    def _drop_schema(self) -> None:
        if not self._pg_schema:
            return
        from sqlalchemy import create_engine, text

        engine = create_engine(self._pg_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self._pg_schema}" CASCADE'))
        engine.dispose()
        self._pg_schema = None


# --- spreadsheet rows the sandbox answers predictably -------------------------------

def _valid_cpf(nine: str) -> str:
    from stdnum.br import cpf

    return nine + cpf._calc_check_digits(nine)  # stdnum keeps it private; the format is public knowledge


def sandbox_cpfs(day, with_boletos: int, without_agreement: int, offsets=(0, 7)) -> tuple[list[str], list[str]]:
    """Valid CPFs for which the sandbox (same code, same day) returns an open boleto due on D+k,
    and CPFs it answers with 404. Deterministic: the same day gives the same CPFs."""
    from datetime import timedelta

    from app.providers.sandbox import has_agreements, sandbox_answer

    due_days = {(day + timedelta(days=k)).isoformat() for k in offsets}
    good, unknown = [], []
    n = 100_000_000
    while len(good) < with_boletos or len(unknown) < without_agreement:
        n += 7_919
        cpf = _valid_cpf(f"{n:09d}")
        if not has_agreements(cpf):
            if len(unknown) < without_agreement:
                unknown.append(cpf)
            continue
        answer = sandbox_answer(cpf, day)
        if len(good) < with_boletos and any(p["status"] == "aberta" and p["vencimento"] in due_days
                                            for a in answer["acordos"] for p in a["parcelas"]):
            good.append(cpf)
    return good, unknown


def write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = ["CPF;EMAIL"] + [f"{cpf};{email}" for cpf, email in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
