"""Fixtures of the security tests: a creditor API and another host, both real HTTP servers that record requests."""
import pytest

from tests.helpers.http_recorder import RecordingServer


@pytest.fixture
def creditor():
    with RecordingServer() as server:
        yield server


@pytest.fixture
def elsewhere():
    """Another host (another port is another origin): it must never see the creditor's token."""
    with RecordingServer() as server:
        yield server
