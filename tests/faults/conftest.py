"""Fixtures of the fault-injection tests: the SMTP test server, services, and worker processes."""
from __future__ import annotations

import tempfile

import pytest

from tests.helpers.faults import WorkerPool, process_env
from tests.helpers.sending_factories import bind, make_services
from tests.helpers.smtp_server import SmtpTestServer

# Short enough for a test, same code paths as production's 600 s lease and minutes of backoff.
LEASE_SECONDS = 3
BACKOFF_SECONDS = (0.5,)
PROVIDER = {"PROVIDER_TIMEOUT": 0.5, "PROVIDER_ATTEMPTS": 3, "PROVIDER_BACKOFF_INITIAL": 0.05,
            "PROVIDER_BACKOFF_MAX": 0.1, "PROVIDER_CONCURRENCY": 8}


@pytest.fixture
def app_config():
    return {"SEND_LEASE_SECONDS": LEASE_SECONDS, "SEND_BACKOFF_SECONDS": BACKOFF_SECONDS, **PROVIDER}


@pytest.fixture
def smtp_server():
    with SmtpTestServer() as server:
        server.state.keep_raw = False  # thousands of messages: envelopes and Message-IDs are enough
        yield server


@pytest.fixture
def services(seeded, smtp_server):
    services = make_services(smtp_server, count=4)
    bind("CLARO", services["SERVICO_2"])
    return services


@pytest.fixture
def worker_pool(app, test_db, test_redis, smtp_server, request):
    """Start workers with `worker_pool.start(n)`; settings by `@pytest.mark.worker_settings(NAME=value)`."""
    marker = request.node.get_closest_marker("worker_settings")
    settings = {"SEND_LEASE_SECONDS": LEASE_SECONDS, "SEND_BACKOFF_SECONDS": BACKOFF_SECONDS, **PROVIDER,
                "MAIL_SERVER": smtp_server.host, "MAIL_PORT": smtp_server.port}
    settings.update(marker.kwargs if marker else {})
    tmp = tempfile.mkdtemp(prefix="preventivo-faults-")
    pool = WorkerPool(process_env(test_db, test_redis, tmp, **settings), tmp)
    yield pool
    pool.close()
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        print(pool.logs())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def pytest_configure(config):
    config.addinivalue_line("markers", "worker_settings(**settings): environment of the test's worker processes")
