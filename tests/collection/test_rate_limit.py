"""The optional request rate cap per operation."""
import time

from app.providers.client import ProviderClient, ProviderSettings


def test_rate_limit_spaces_requests(provider):
    client = ProviderClient(ProviderSettings(code="CLARO", base_url=provider.url, token="token-de-teste",
                                             rate_limit=20.0, concurrency=8))
    try:
        started = time.monotonic()
        results = list(client.fetch_many([f"{n:011d}" for n in range(6)]))
    finally:
        client.close()
    assert len(results) == 6 and time.monotonic() - started >= 0.25  # 6 calls at 20/s: >= 5 intervals of 50 ms


def test_retry_after_as_an_http_date_is_understood():
    from email.utils import format_datetime
    from datetime import datetime, timedelta, timezone

    from app.providers.client import parse_retry_after

    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 28 <= parse_retry_after(when) <= 30
    assert parse_retry_after(None) == 1.0 and parse_retry_after("2") == 2.0
