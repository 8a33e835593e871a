import pytest


@pytest.fixture
def app_config():
    # Short timeouts and backoff: the behaviour is the same, the tests stay fast.
    return {"PROVIDER_TIMEOUT": 0.3, "PROVIDER_BACKOFF_INITIAL": 0.01, "PROVIDER_BACKOFF_MAX": 0.02,
            "PROVIDER_RETRY_AFTER_MAX": 1.0, "PROVIDER_CONCURRENCY": 8}


@pytest.fixture(autouse=True)
def _fresh_provider_clients():
    from app.providers.client import reset_clients

    yield
    reset_clients()


@pytest.fixture
def provider():
    from tests.helpers.collection_factories import ScriptedProvider

    server = ScriptedProvider()
    yield server
    server.stop()
