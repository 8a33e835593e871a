"""`make run` from a clean clone: a quiet start, the admin block once the processes are up, exit 0 when stopped.

The first minute is watched once (module fixture, ~70 s); the other runs stop as soon as they can.
"""
from __future__ import annotations

import json
import signal
import time
import urllib.request

import pytest

from tests.helpers.make_run import BLOCK_BOTTOM, BLOCK_TOP, CleanRun

pytestmark = pytest.mark.slow
FIRST_MINUTE = 60.0
MAX_LINES = 50


def healthz_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
            return json.load(response).get("status") == "ok"
    except OSError:
        return False


@pytest.fixture(scope="module")
def first_minute():
    """One clean run watched for its first minute, then stopped with Ctrl-C (SIGINT)."""
    run = CleanRun()
    try:
        run.start()
        run.wait_for(lambda text: text.startswith(BLOCK_BOTTOM))
        run.healthy_when_block_seen = healthz_ok(run.url)
        time.sleep(max(0.0, FIRST_MINUTE - (time.monotonic() - run.started_at)))
        run.first_minute_lines = [line for line in run.lines if line.at <= FIRST_MINUTE]
        run.exit_code = run.signal(signal.SIGINT)
        run.left_behind = run.files_outside()
        yield run
    finally:
        run.stop()


def test_the_admin_block_comes_once_the_web_answers(first_minute):
    texts = [line.text for line in first_minute.lines]
    top = next(i for i, text in enumerate(texts) if text.startswith(BLOCK_TOP))
    started = [i for i, text in enumerate(texts) if "started (pid=" in text]
    assert first_minute.healthy_when_block_seen and len(started) == 6 and max(started) < top


def test_the_admin_block_gives_address_login_password_mail_and_how_to_stop(first_minute):
    block = first_minute.output().split(BLOCK_TOP, 1)[1].split(BLOCK_BOTTOM, 1)[0]
    for needed in (first_minute.url, "admin@preventivo.local", "Senha:", "mostrada só agora",
                   "/admin/emails-capturados/", "Ctrl-C"):
        assert needed in block, needed


def test_the_first_minute_is_quiet(first_minute):
    lines = first_minute.first_minute_lines
    assert len(lines) <= MAX_LINES, "\n".join(line.text for line in lines)


def test_no_access_log_line_by_default(first_minute):
    assert not [line.text for line in first_minute.lines if '"GET /' in line.text]


def test_ctrl_c_ends_with_status_zero(first_minute):
    assert first_minute.exit_code == 0, first_minute.output()[-3000:]


def test_nothing_is_written_in_home_or_tmp(first_minute):
    assert first_minute.left_behind == []


def test_sigterm_ends_with_status_zero():
    run = CleanRun(ADMIN_PASSWORD="uma senha longa de teste 42")
    try:
        run.start()
        run.wait_for(lambda text: text.startswith(BLOCK_BOTTOM))
        assert run.signal(signal.SIGTERM) == 0, run.output()[-3000:]
    finally:
        run.stop()


def test_a_weak_admin_password_stops_with_the_reason_and_never_shows_it():
    weak = "Fraca1234"
    run = CleanRun(ADMIN_PASSWORD=weak)
    try:
        run.start()
        code = run.wait_exit(timeout=120)
        output = run.output()
        assert (code, "Falha ao preparar (users create):" in output, weak in output) == (1, True, False), output
    finally:
        run.stop()


def test_log_level_debug_brings_the_access_log_back():
    run = CleanRun(LOG_LEVEL="DEBUG", ADMIN_PASSWORD="uma senha longa de teste 42")
    try:
        run.start()
        run.wait_for(lambda text: text.startswith(BLOCK_BOTTOM))
        assert run.wait_for(lambda text: '"GET /healthz' in text, timeout=10)
    finally:
        run.stop()
