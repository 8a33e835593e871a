"""The provider contract client: one pooled httpx client per operation, bounded concurrency,
retries with backoff and jitter, Retry-After on 429, and auth faults that stop the campaign's calls.

Concurrency model: threads. A collection job is a synchronous RQ job that
writes through SQLAlchemy's synchronous session; the work per request is
waiting on the network, so a small thread pool (PROVIDER_CONCURRENCY threads,
sharing one `httpx.Client` whose pool has as many connections) keeps the
creditor's bound busy while the job's main thread stores results as they
arrive. An asyncio client would need its own loop inside the job and a
hand-off to the sync database session, for no gain at 16 connections.

The concurrency bound and the optional rate cap are per operation across every
worker (app/providers/rate.py), since the creditor counts all our requests: each
call holds one of PROVIDER_CONCURRENCY slots shared through Redis.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterable, Iterator

import httpx
from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from app.providers.contract import ContractError, parse_answer
from app.providers.rate import RequestSlots, rate_limiter
from app.providers.results import (
    API_ERROR,
    CONFIG_ERROR,
    FOUND,
    NOT_FOUND,
    AuthRefused,
    FetchResult,
    ProviderSettings,
    Transient,
    parse_retry_after,
)
from app.security.masking import mask_cpf
from app.security.origin import OriginBearerAuth, describe_origin, same_origin

log = logging.getLogger(__name__)


class ProviderClient:
    """Talks the contract to one operation's provider. Thread-safe; reuse it (see `client_for`)."""

    def __init__(self, settings: ProviderSettings, sleep=time.sleep):
        self.settings = settings
        self._sleep = sleep
        self._slots = RequestSlots(settings.code, settings.concurrency, settings.timeout)
        self._limiter = rate_limiter(settings.code, settings.rate_limit)
        self.http = httpx.Client(
            base_url=settings.base_url,
            timeout=httpx.Timeout(settings.timeout),
            limits=httpx.Limits(max_connections=settings.concurrency,
                                max_keepalive_connections=settings.concurrency),
            headers={"Accept": "application/json", "User-Agent": "Preventivo/1.0"},
            # The token goes to the provider's own scheme, host and port only, and no redirect is followed.
            auth=OriginBearerAuth(settings.token, settings.base_url),
            follow_redirects=False,
        )

    def close(self) -> None:
        self.http.close()

    # --- one CPF ---------------------------------------------------------------------
    def fetch(self, cpf: str, stop: threading.Event | None = None) -> FetchResult:
        """The agreements of one CPF. Never raises: the outcome is in the result.

        `stop` is the campaign's "configuration fault" flag: once set (by any
        thread meeting 401/403) no further call is made.
        """
        if stop is not None and stop.is_set():
            return FetchResult(cpf, CONFIG_ERROR, reason="Chamadas suspensas: token da operação recusado")
        attempts = 0
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.attempts),
            wait=wait_exponential_jitter(multiplier=self.settings.backoff_initial, max=self.settings.backoff_max,
                                         jitter=self.settings.backoff_initial),
            retry=retry_if_exception_type(Transient),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    attempts += 1
                    if stop is not None and stop.is_set():
                        raise AuthRefused("Chamadas suspensas: token da operação recusado")
                    return self._attempt(cpf, attempts)
        except Transient as exc:
            return FetchResult(cpf, API_ERROR, reason=f"{exc} (após {attempts} tentativas)", attempts=attempts)
        except AuthRefused as exc:
            if stop is not None:
                stop.set()
            return FetchResult(cpf, CONFIG_ERROR, reason=str(exc), attempts=attempts)
        except RetryError as exc:  # pragma: no cover - reraise=True makes this unreachable
            return FetchResult(cpf, API_ERROR, reason=str(exc), attempts=attempts)
        raise AssertionError("unreachable")

    def _attempt(self, cpf: str, attempt_no: int) -> FetchResult:
        """One counted attempt; 429s inside it wait Retry-After and do not count (up to a limit)."""
        for _ in range(self.settings.max_rate_limited + 1):
            response = self._get(f"/v1/clientes/{cpf}/acordos")
            if response.status_code != 429:
                return self._interpret(cpf, response, attempt_no)
            wait = min(parse_retry_after(response.headers.get("Retry-After")), self.settings.retry_after_max)
            log.info("provider %s 429 for cpf=%s, waiting %.2fs", self.settings.code, mask_cpf(cpf), wait)
            self._sleep(wait)
        raise Transient("HTTP 429: limite de requisições excedido repetidamente")

    def _get(self, path: str) -> httpx.Response:
        with self._slots.held():
            self._limiter.wait()
            try:
                response = self.http.get(path)
                response.read()
                return response
            except httpx.TimeoutException as exc:
                raise Transient(f"Tempo esgotado ({self.settings.timeout:g} s) ao chamar a API") from exc
            except httpx.TransportError as exc:
                raise Transient(f"Falha de conexão com a API: {type(exc).__name__}") from exc

    def _interpret(self, cpf: str, response: httpx.Response, attempt_no: int) -> FetchResult:
        status = response.status_code
        if status == 404:
            return FetchResult(cpf, NOT_FOUND, attempts=attempt_no)
        if status in (401, 403):
            raise AuthRefused(f"HTTP {status}: token da operação {self.settings.code} recusado pela API")
        if status >= 500:
            raise Transient(f"HTTP {status} da API")
        if status != 200:
            return FetchResult(cpf, API_ERROR, reason=f"Resposta inesperada da API: HTTP {status}", attempts=attempt_no)
        try:
            payload = response.json()
        except ValueError:
            kind = response.headers.get("content-type", "?").split(";")[0]
            return FetchResult(cpf, API_ERROR, reason=f"Resposta da API não é JSON ({kind})", attempts=attempt_no)
        try:
            answer = parse_answer(cpf, payload)
        except ContractError as exc:
            return FetchResult(cpf, API_ERROR, reason=str(exc), attempts=attempt_no)
        return FetchResult(cpf, FOUND, answer=answer, attempts=attempt_no)

    # --- many CPFs ---------------------------------------------------------------------
    def fetch_many(self, cpfs: Iterable[str], stop: threading.Event | None = None) -> Iterator[FetchResult]:
        """Fetch CPFs concurrently, yielding results as they complete.

        Up to `concurrency` threads each take one of the operation's shared slots (app/providers/rate.py)
        and fetch CPFs one after the other until none is left, so the creditor never sees more than
        PROVIDER_CONCURRENCY requests of ours at once, whatever the number of workers.
        """
        stop = stop or threading.Event()
        cpfs = list(cpfs)
        if not cpfs:
            return
        todo: queue.SimpleQueue = queue.SimpleQueue()
        for cpf in cpfs:
            todo.put(cpf)
        done: queue.SimpleQueue = queue.SimpleQueue()
        abandoned = threading.Event()

        def fetcher() -> None:
            with self._slots.held():
                while not abandoned.is_set():
                    try:
                        cpf = todo.get_nowait()
                    except queue.Empty:
                        return
                    done.put(self.fetch(cpf, stop))

        threads = [threading.Thread(target=fetcher, name=f"provider-{self.settings.code}-{n}", daemon=True)
                   for n in range(min(self.settings.concurrency, len(cpfs)))]
        for thread in threads:
            thread.start()
        try:
            for _ in cpfs:
                yield done.get()
        finally:
            abandoned.set()  # a consumer that stops early: the fetchers finish their request and stop
            for thread in threads:
                thread.join()

    # --- connection test and PDFs --------------------------------------------------------
    def check_connection(self, cpf: str = "00000000000") -> tuple[bool, str]:
        """One call with a harmless CPF; (ok, pt-BR message) for the panel."""
        try:
            response = self._get(f"/v1/clientes/{cpf}/acordos")
        except Transient as exc:
            return False, str(exc)
        status = response.status_code
        if status in (200, 404):
            return True, f"Conexão OK: a API respondeu HTTP {status} com o token configurado."
        if status in (401, 403):
            return False, f"A API recusou o token (HTTP {status}). Verifique o token da operação."
        if status == 429:
            return True, "A API respondeu, mas está limitando requisições (HTTP 429)."
        return False, f"A API respondeu HTTP {status}."

    def fetch_pdf(self, pdf_url: str) -> bytes:
        """A parcela's PDF (relative to base_url, or absolute on the provider's own origin), with the token.

        Raises ValueError for a URL on another origin: it is not fetched at all.
        """
        target = self.http.build_request("GET", pdf_url).url
        if not same_origin(target, self.settings.base_url):
            raise ValueError(f"pdf_url fora da API do credor ({describe_origin(target)})")
        with self._slots.held():
            self._limiter.wait()
            response = self.http.get(pdf_url)
        response.raise_for_status()
        return response.content


# --- one pooled client per operation (per process) --------------------------------------
_clients: dict[ProviderSettings, ProviderClient] = {}
_clients_lock = threading.Lock()


def client_for(settings: ProviderSettings) -> ProviderClient:
    """The process's client for these settings (a changed URL or token gets a new one)."""
    with _clients_lock:
        client = _clients.get(settings)
        if client is None:
            for old_key in [k for k in _clients if k.code == settings.code]:
                _clients.pop(old_key).close()
            client = ProviderClient(settings)
            _clients[settings] = client
        return client


def reset_clients() -> None:
    """Close every pooled client (tests; after fork)."""
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
