"""The optional request rate cap per operation."""
import time

from app.providers.client import ProviderClient, ProviderSettings


def _timed_fetch(provider, code: str, count: int) -> tuple[int, float]:
    """(results, seconds) of `count` CPFs fetched at a cap of 20 requests a second."""
    client = ProviderClient(ProviderSettings(code=code, base_url=provider.url, token="token-de-teste",
                                             rate_limit=20.0, concurrency=8))
    try:
        started = time.monotonic()
        results = list(client.fetch_many([f"{n:011d}" for n in range(count)]))
        return len(results), time.monotonic() - started
    finally:
        client.close()


def test_rate_limit_spaces_requests(provider):
    results, seconds = _timed_fetch(provider, "CLARO", 6)
    assert results == 6 and seconds >= 0.25  # 6 calls at 20/s: >= 5 intervals of 50 ms


def test_retry_after_as_an_http_date_is_understood():
    from datetime import datetime, timedelta, timezone
    from email.utils import format_datetime

    from app.providers.client import parse_retry_after

    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 28 <= parse_retry_after(when) <= 30
    assert parse_retry_after(None) == 1.0 and parse_retry_after("2") == 2.0


def _fetch_concurrently(clients, per_client: int) -> int:
    """Every client (a worker process's) fetches `per_client` CPFs at the same time; returns the total."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(clients)) as pool:
        batches = pool.map(lambda c: list(c.fetch_many([f"{n:011d}" for n in range(per_client)])), clients)
        return sum(len(b) for b in batches)


def test_the_rate_cap_is_shared_by_every_worker_through_redis(app, provider):
    # Two clients stand for two worker processes: each has its own local state, they share Redis.
    settings = ProviderSettings(code="CLARO", base_url=provider.url, token="token-de-teste", rate_limit=20.0,
                                concurrency=8)
    clients = [ProviderClient(settings), ProviderClient(settings)]
    try:
        started = time.monotonic()
        total = _fetch_concurrently(clients, 5)
        elapsed = time.monotonic() - started
    finally:
        for client in clients:
            client.close()
    # 10 calls at 20/s in all: >= 9 intervals of 50 ms. Capped per process it would take ~0.2 s.
    assert total == 10 and elapsed >= 0.44


def test_without_redis_each_worker_still_caps_itself(app, provider, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")

    results, seconds = _timed_fetch(provider, "NET", 6)

    assert results == 6 and seconds >= 0.25


def test_provider_concurrency_is_one_bound_for_every_worker(app, provider):
    # Two clients stand for two worker processes (each with its own threads); PROVIDER_CONCURRENCY is
    # the creditor's bound across both, held through Redis.
    import threading

    in_flight, peak, lock = [0], [0], threading.Lock()

    def slow(method, path, headers):
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        try:
            time.sleep(0.1)
            return 404, {"Content-Type": "application/json"}, b"{}"
        finally:
            with lock:
                in_flight[0] -= 1

    provider.server.responder = slow
    settings = ProviderSettings(code="SEMPARAR", base_url=provider.url, token="token-de-teste", concurrency=3)
    clients = [ProviderClient(settings), ProviderClient(settings)]
    try:
        total = _fetch_concurrently(clients, 12)
    finally:
        for client in clients:
            client.close()

    assert total == 24 and peak[0] == 3  # 6 threads asking, 3 at a time
