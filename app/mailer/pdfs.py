"""One PDF per boleto: the creditor's own (`pdf_url`, fetched with the operation's token) or one we draw."""
from __future__ import annotations

import base64
import hashlib
import logging
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

import httpx
from flask import current_app

from app.boletos.pdf import BoletoPrint, render_boleto_pdf

from .templates import BoletoData

log = logging.getLogger(__name__)


class PdfSource:
    """One PDF per boleto: the provider's `pdf_url` (with the operation's token) or our own rendering.

    Encoded attachments are cached per boleto (a client's addresses share them), in
    this object for a batch and in a small process-wide LRU across batches.
    """

    _lru: "OrderedDict[tuple, bytes]" = OrderedDict()
    _lru_lock = threading.Lock()
    LRU_SIZE = 2048

    def __init__(self, operation_name: str, provider_url: str | None = None, provider_token: str | None = None,
                 timeout: float = 15.0):
        self.operation_name = operation_name
        self.provider_url = provider_url
        self.provider_token = provider_token
        self.timeout = timeout
        self._http = None
        self._executor = None
        self._futures: dict = {}

    @classmethod
    def for_operation(cls, operation) -> "PdfSource":
        return cls(operation.name, operation.effective_provider_url, operation.effective_provider_token,
                   current_app.config["PROVIDER_TIMEOUT"])

    def _key(self, boleto: BoletoData):
        # By content and source, not by id: ids can be reused (SQLite after a purge), content cannot lie.
        token = hashlib.sha1((self.provider_token or "").encode()).hexdigest()[:12] if boleto.pdf_url else ""
        return (self.operation_name, self.provider_url if boleto.pdf_url else None, token, boleto.pdf_url,
                boleto.agreement, boleto.number, boleto.total, boleto.amount, boleto.due_date, boleto.line,
                boleto.barcode, boleto.pix)

    def prefetch(self, boletos: list[BoletoData]) -> None:
        """Start fetching/rendering these boletos' PDFs in one background thread, in this order."""

        for boleto in boletos:
            key = self._key(boleto)
            if key is None or key in self._futures:
                continue
            with self._lru_lock:
                if key in self._lru:
                    continue
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf")
            self._futures[key] = self._executor.submit(self._encoded, boleto, key)

    def attachment(self, boleto: BoletoData, client_name: str | None = None) -> tuple[str, bytes]:
        """(filename, base64 body with CRLF line breaks) for one boleto."""
        key = self._key(boleto)
        if key is not None:
            future = self._futures.pop(key, None)
            if future is not None:
                return self.filename(boleto), future.result()
            with self._lru_lock:
                cached = self._lru.get(key)
                if cached is not None:
                    self._lru.move_to_end(key)
                    return self.filename(boleto), cached
        return self.filename(boleto), self._encoded(boleto, key)

    def _encoded(self, boleto: BoletoData, key) -> bytes:
        encoded = base64.encodebytes(self.pdf_bytes(boleto)).replace(b"\n", b"\r\n")
        if key is not None:
            with self._lru_lock:
                self._lru[key] = encoded
                while len(self._lru) > self.LRU_SIZE:
                    self._lru.popitem(last=False)
        return encoded

    @staticmethod
    def filename(boleto: BoletoData) -> str:
        due = boleto.due_date.strftime("%Y-%m-%d") if boleto.due_date else "sem-vencimento"
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in boleto.agreement)[:40]
        return f"boleto-{safe}-parcela-{boleto.number or 0}-{due}.pdf"

    def pdf_bytes(self, boleto: BoletoData) -> bytes:
        if boleto.pdf_url:
            fetched = self._fetch(boleto.pdf_url)
            if fetched is not None:
                return fetched
        return render_boleto_pdf(BoletoPrint(
            operation=self.operation_name, agreement=boleto.agreement, number=boleto.number, total=boleto.total,
            amount=boleto.amount, due_date=boleto.due_date, line=boleto.line or "", barcode=boleto.barcode,
            client_name=None, pix=boleto.pix,
        ))

    def _fetch(self, url: str) -> bytes | None:
        absolute = url.startswith("http://") or url.startswith("https://")
        if not absolute and not self.provider_url:
            log.warning("pdf_url %s is relative and the operation has no provider URL: rendering instead", url)
            return None
        if self._http is None:
            headers = {"Accept": "application/pdf"}
            if self.provider_token:
                headers["Authorization"] = f"Bearer {self.provider_token}"
            self._http = httpx.Client(base_url=self.provider_url or "", headers=headers, timeout=self.timeout)
        try:
            response = self._http.get(url)
        except httpx.HTTPError as exc:
            log.warning("pdf fetch failed (%s): rendering instead", type(exc).__name__)
            return None
        if response.status_code != 200 or not response.content.startswith(b"%PDF"):
            log.warning("pdf fetch answered %s (%s): rendering instead", response.status_code,
                        response.headers.get("content-type"))
            return None
        return response.content

    def close(self) -> None:
        if self._executor is not None:
            for future in self._futures.values():
                future.cancel()
            self._executor.shutdown(wait=True)
            self._executor = None
            self._futures.clear()
        if self._http is not None:
            self._http.close()
            self._http = None
