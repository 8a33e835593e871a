"""One PDF per boleto: the creditor's own (`pdf_url`, fetched with the operation's token) or one we draw.

The operation's token goes only to its API's own scheme, host and port: a `pdf_url` anywhere else is
not fetched at all, no redirect is followed, and the boleto is drawn instead. Why it was drawn is
kept per boleto (`note_for`) and recorded on the delivery (`Delivery.note`).
"""
from __future__ import annotations

import base64
import hashlib
import logging
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields

import httpx
from flask import current_app

from app.boletos.details import DETAIL_FIELDS
from app.boletos.pdf import BoletoPrint, render_boleto_pdf
from app.security.origin import OriginBearerAuth, describe_origin, same_origin

from .templates import BoletoData

log = logging.getLogger(__name__)


class PdfSource:
    """One PDF per boleto: the provider's `pdf_url` (with the operation's token) or our own rendering.

    Encoded attachments are cached per boleto (a client's addresses share them), in
    this object for a batch and in a small process-wide LRU across batches.
    """

    _lru: "OrderedDict[tuple, tuple[bytes, str | None]]" = OrderedDict()
    _lru_lock = threading.Lock()
    LRU_SIZE = 2048

    def __init__(self, operation_name: str, provider_url: str | None = None, provider_token: str | None = None,
                 timeout: float = 15.0, beneficiary: tuple[str | None, str | None] = (None, None)):
        self.operation_name = operation_name
        # (legal name, CNPJ) printed as the beneficiário when the creditor sends none (docs/provider-api.md)
        self.beneficiary = tuple(beneficiary)
        self.provider_url = provider_url
        self.provider_token = provider_token
        self.timeout = timeout
        self._http = None
        self._executor = None
        self._futures: dict = {}
        self._notes: dict[str, str] = {}  # pdf_url -> why the boleto was drawn instead

    @classmethod
    def for_operation(cls, operation) -> "PdfSource":
        # When the creditor sends no beneficiário, the operation's legal name and CNPJ (its branding) stand in.
        beneficiary = (operation.legal_name, operation.cnpj)
        return cls(operation.name, operation.effective_provider_url, operation.effective_provider_token,
                   current_app.config["PROVIDER_TIMEOUT"], beneficiary)

    def _key(self, boleto: BoletoData):
        # By content and source, not by id: ids can be reused (SQLite after a purge), content cannot lie.
        # Every printed field is content, the pagador's name and CPF included.
        token = hashlib.sha1((self.provider_token or "").encode()).hexdigest()[:12] if boleto.pdf_url else ""
        return (self.operation_name, self.beneficiary, self.provider_url if boleto.pdf_url else None, token,
                *(getattr(boleto, f.name) for f in fields(boleto) if f.name != "id"))

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
                return self.filename(boleto), self._noted(boleto, future.result())
            with self._lru_lock:
                cached = self._lru.get(key)
                if cached is not None:
                    self._lru.move_to_end(key)
                    return self.filename(boleto), self._noted(boleto, cached)
        return self.filename(boleto), self._noted(boleto, self._encoded(boleto, key))

    def _noted(self, boleto: BoletoData, entry: tuple[bytes, str | None]) -> bytes:
        encoded, note = entry
        if note and boleto.pdf_url:
            self._notes[boleto.pdf_url] = note
        return encoded

    def note_for(self, boletos: list[BoletoData]) -> str | None:
        """Why some of these boletos' PDFs were drawn instead of fetched (after `attachment`), or None."""
        notes = [self._notes[b.pdf_url] for b in boletos if b.pdf_url and b.pdf_url in self._notes]
        return "; ".join(dict.fromkeys(notes)) or None

    def _encoded(self, boleto: BoletoData, key) -> tuple[bytes, str | None]:
        pdf, note = self.pdf_and_note(boleto)
        entry = (base64.encodebytes(pdf).replace(b"\n", b"\r\n"), note)
        if key is not None:
            with self._lru_lock:
                self._lru[key] = entry
                while len(self._lru) > self.LRU_SIZE:
                    self._lru.popitem(last=False)
        return entry

    @staticmethod
    def filename(boleto: BoletoData) -> str:
        due = boleto.due_date.strftime("%Y-%m-%d") if boleto.due_date else "sem-vencimento"
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in boleto.agreement)[:40]
        return f"boleto-{safe}-parcela-{boleto.number or 0}-{due}.pdf"

    def pdf_bytes(self, boleto: BoletoData) -> bytes:
        return self.pdf_and_note(boleto)[0]

    def pdf_and_note(self, boleto: BoletoData) -> tuple[bytes, str | None]:
        """The PDF, and why it was drawn when the boleto had a `pdf_url` (None when fetched or never asked)."""
        note = None
        if boleto.pdf_url:
            fetched, note = self._fetch(boleto.pdf_url)
            if fetched is not None:
                return fetched, None
        return self._draw(boleto), note

    def _draw(self, boleto: BoletoData) -> bytes:
        details = {name: getattr(boleto, name) for name in DETAIL_FIELDS}
        if not (boleto.beneficiary_name or boleto.beneficiary_cnpj):
            details["beneficiary_name"], details["beneficiary_cnpj"] = self.beneficiary
        return render_boleto_pdf(BoletoPrint(
            operation=self.operation_name, agreement=boleto.agreement, number=boleto.number, total=boleto.total,
            amount=boleto.amount, due_date=boleto.due_date, line=boleto.line or "", barcode=boleto.barcode,
            client_name=boleto.payer_name, pix=boleto.pix, client_cpf=boleto.payer_cpf, **details,
        ))

    def _fetch(self, url: str) -> tuple[bytes | None, str | None]:
        """(the creditor's PDF, None), or (None, why it was not used: the boleto is drawn instead)."""
        absolute = url.startswith("http://") or url.startswith("https://")
        if not absolute and not self.provider_url:
            log.warning("a pdf_url is relative and the operation has no provider URL: drawing the boleto")
            return None, "PDF do credor não baixado: endereço relativo e a operação não tem URL da API; boleto gerado"
        if self._http is None:
            # The token only to the API's own origin (OriginBearerAuth); redirects are not followed (httpx default).
            self._http = httpx.Client(base_url=self.provider_url or "", headers={"Accept": "application/pdf"},
                                      auth=OriginBearerAuth(self.provider_token, self.provider_url),
                                      timeout=self.timeout, follow_redirects=False)
        try:
            target = self._http.build_request("GET", url).url
        except (httpx.InvalidURL, ValueError):
            return None, "PDF do credor não baixado: endereço inválido; boleto gerado"
        if not self.provider_url or not same_origin(target, self.provider_url):
            where = describe_origin(target)
            log.warning("a pdf_url points outside the provider's API (%s): not fetched, drawing the boleto", where)
            return None, (f"PDF do credor não baixado: o endereço ({where}) não é o da API do credor; "
                          "boleto gerado pelo Preventivo")
        try:
            response = self._http.get(url)
        except httpx.HTTPError as exc:
            log.warning("pdf fetch failed (%s): drawing the boleto", type(exc).__name__)
            return None, f"PDF do credor não baixado ({type(exc).__name__}); boleto gerado"
        if response.status_code != 200 or not response.content.startswith(b"%PDF"):
            log.warning("pdf fetch answered %s (%s): drawing the boleto", response.status_code,
                        response.headers.get("content-type"))
            if response.is_redirect:
                why = f"a API redirecionou (HTTP {response.status_code}) e redirecionamentos não são seguidos"
            elif response.status_code != 200:
                why = f"a API respondeu HTTP {response.status_code}"
            else:
                why = "a resposta não é um PDF"
            return None, f"PDF do credor não usado: {why}; boleto gerado"
        return response.content, None

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
