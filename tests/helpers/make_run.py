"""`make run` from a clean clone, as a newcomer meets it.

`CleanRun` clones this checkout's HEAD into a temporary folder (so only committed
files count, and `instance/` starts empty), then runs `python -m devtools.run` there
with this virtualenv's Python, on free ports, with HOME and TMPDIR pointing at empty
folders of its own. It records every line with the moment it arrived, and stops
everything it started by pid.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.e2e import _alive, descendants, free_port

ROOT = Path(__file__).resolve().parents[2]
BLOCK_TOP = "╔"
BLOCK_BOTTOM = "╚"


@dataclass
class Line:
    at: float  # seconds since the start
    text: str


class CleanRun:
    def __init__(self, **env: str):
        self.tmp = Path(tempfile.mkdtemp(prefix="preventivo-make-run-"))
        self.clone = self.tmp / "clone"
        self.home = self.tmp / "home"
        self.tmpdir = self.tmp / "tmp"
        self.home.mkdir()
        self.tmpdir.mkdir()
        subprocess.run(["git", "clone", "-q", str(ROOT), str(self.clone)], check=True, capture_output=True)
        self.ports = {name: free_port() for name in ("web", "mail", "sandbox", "redis")}
        self.url = f"http://127.0.0.1:{self.ports['web']}"
        self.env = self._env(env)
        self.lines: list[Line] = []
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self._reader: threading.Thread | None = None

    def _env(self, extra: dict) -> dict:
        env = {k: v for k, v in os.environ.items()
               if k not in ("REDIS_URL", "DATABASE_URL", "TEST_DATABASE_URL", "SECRET_KEY", "ENCRYPTION_KEYS",
                            "ADMIN_EMAIL", "ADMIN_PASSWORD", "LOG_LEVEL", "PREVENTIVO_INSTANCE_DIR", "DEMO_QUOTA")}
        env.update({
            "HOME": str(self.home),
            "TMPDIR": str(self.tmpdir),
            "PREVENTIVO_ENV": "development",
            "PORT": str(self.ports["web"]),
            "MAIL_CATCHER_PORT": str(self.ports["mail"]),
            "SANDBOX_PORT": str(self.ports["sandbox"]),
            "EMBEDDED_REDIS_PORT": str(self.ports["redis"]),
        })
        env.update(extra)
        return env

    def start(self) -> "CleanRun":
        self.started_at = time.monotonic()
        self.process = subprocess.Popen([sys.executable, "-m", "devtools.run"], cwd=self.clone, env=self.env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for raw in self.process.stdout:
            self.lines.append(Line(time.monotonic() - self.started_at, raw.decode(errors="replace").rstrip("\n")))

    def wait_for(self, predicate, timeout: float = 120.0) -> Line:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if predicate(line.text):
                    return line
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.1)
        raise AssertionError("line not seen; output was:\n" + self.output())

    def wait_exit(self, timeout: float = 60.0) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code

    def output(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def signal(self, signum: int) -> int:
        self.process.send_signal(signum)
        return self.wait_exit()

    def files_outside(self) -> list[str]:
        """Whatever the run left in its HOME and TMPDIR (both empty at the start)."""
        return sorted(str(p) for folder in (self.home, self.tmpdir) for p in folder.rglob("*"))

    def stop(self) -> None:
        try:
            if self.process is not None and self.process.poll() is None:
                family = descendants(self.process.pid)
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                for pid in family:
                    if _alive(pid):
                        try:
                            os.kill(pid, signal.SIGKILL)
                        except OSError:
                            pass
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
