"""The boleto email: sandboxed Jinja templates of the campaign type, HTML + text, one PDF per boleto.

The MIME bytes are written directly (headers, quoted-printable bodies, cached
base64 attachments) rather than through `email.message.EmailMessage`: building
an EmailMessage costs more than sending it (DESIGN.md field notes), and a
campaign sends the same PDF to every address of a client. Tests parse the
output with the standard library to keep it honest.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from email.header import Header
from email.utils import format_datetime, formataddr

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.boletos.pdf import BoletoPrint, format_line, render_boleto_pdf
from app.mailer.default_templates import DEFAULT_BODY_HTML, DEFAULT_BODY_TEXT, DEFAULT_SUBJECT

log = logging.getLogger(__name__)


class TemplateProblem(ValueError):
    """An admin's template does not compile or render (message in pt-BR)."""


# --- formatting helpers ---------------------------------------------------------------------
def brl(value) -> str:
    from app.web import brl as _brl

    return _brl(value)


def date_br(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def new_message_id(sender: str) -> str:
    domain = (sender.rsplit("@", 1)[-1] or "preventivo.local").strip().lower()
    return f"<{uuid.uuid4().hex}@{domain}>"


# --- templates ---------------------------------------------------------------------------
_html_env = ImmutableSandboxedEnvironment(autoescape=True)
_text_env = ImmutableSandboxedEnvironment(autoescape=False)
_cache_lock = threading.Lock()
_template_cache: dict[str, "CompiledTemplates"] = {}


@dataclass
class CompiledTemplates:
    subject: object
    html: object
    text: object

    def render(self, context: dict) -> tuple[str, str, str]:
        try:
            subject = " ".join(self.subject.render(context).split())
            return subject, self.html.render(context), self.text.render(context)
        except TemplateError as exc:
            raise TemplateProblem(f"Erro no modelo do e-mail: {exc}") from exc
        except Exception as exc:  # sandbox violations, bad filters on data
            raise TemplateProblem(f"Erro ao montar o e-mail: {type(exc).__name__}: {exc}") from exc


def compile_templates(subject: str | None, html: str | None, text: str | None) -> CompiledTemplates:
    subject = subject or DEFAULT_SUBJECT
    html = html or DEFAULT_BODY_HTML
    text = text or DEFAULT_BODY_TEXT
    key = hashlib.sha1("\x00".join((subject, html, text)).encode()).hexdigest()
    with _cache_lock:
        found = _template_cache.get(key)
    if found is not None:
        return found
    try:
        compiled = CompiledTemplates(_text_env.from_string(subject), _html_env.from_string(html), _text_env.from_string(text))
    except TemplateError as exc:
        raise TemplateProblem(f"Erro no modelo do e-mail (linha {getattr(exc, 'lineno', '?')}): {exc}") from exc
    with _cache_lock:
        if len(_template_cache) > 200:
            _template_cache.clear()
        _template_cache[key] = compiled
    return compiled


def templates_for(campaign_type) -> CompiledTemplates:
    return compile_templates(campaign_type.subject_template, campaign_type.body_html_template,
                             campaign_type.body_text_template)


@dataclass
class BoletoData:
    """What a message needs of one boleto (plain data: built once per batch, shared across addresses)."""

    id: int | None
    agreement: str
    number: int | None
    total: int | None
    amount: Decimal | None
    due_date: date | None
    line: str | None
    barcode: str | None = None
    pix: str | None = None
    pdf_url: str | None = None

    @classmethod
    def from_row(cls, boleto, agreement_external_id: str) -> "BoletoData":
        return cls(boleto.id, agreement_external_id, boleto.number, boleto.total, boleto.amount, boleto.due_date,
                   boleto.line, boleto.barcode, boleto.pix, boleto.pdf_url)

    def context(self) -> dict:
        return {
            "acordo": self.agreement,
            "parcela": self.number or "",
            "total_parcelas": self.total or "",
            "valor": brl(self.amount) if self.amount is not None else "",
            "vencimento": date_br(self.due_date),
            "linha_digitavel": format_line(self.line),
            "codigo_barras": self.barcode or "",
            "pix": self.pix or "",
        }


def message_context(operation_name: str, client_name: str | None, email: str, boletos: list[BoletoData]) -> dict:
    items = [b.context() for b in boletos]
    dues = sorted(b.due_date for b in boletos if b.due_date)
    return {
        "nome": (client_name or "").strip(),
        "operacao": operation_name,
        "email": email,
        "boletos": items,
        "quantidade_boletos": len(items),
        "primeiro_vencimento": date_br(dues[0]) if dues else "",
        "valor_total": brl(sum((b.amount or Decimal(0)) for b in boletos)),
    }


SAMPLE_BOLETOS = [
    BoletoData(None, "AC-000123", 2, 6, Decimal("1234.56"), date(2026, 8, 5),
               "00190500954014481606906809350314337370000000100", None, "00020126580014br.gov.bcb.pix0136exemplo"),
]


# --- PDFs --------------------------------------------------------------------------------
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
        from flask import current_app

        return cls(operation.name, operation.effective_provider_url, operation.effective_provider_token,
                   float(current_app.config.get("PROVIDER_TIMEOUT", 15.0)))

    def _key(self, boleto: BoletoData):
        # By content and source, not by id: ids can be reused (SQLite after a purge), content cannot lie.
        token = hashlib.sha1((self.provider_token or "").encode()).hexdigest()[:12] if boleto.pdf_url else ""
        return (self.operation_name, self.provider_url if boleto.pdf_url else None, token, boleto.pdf_url,
                boleto.agreement, boleto.number, boleto.total, boleto.amount, boleto.due_date, boleto.line,
                boleto.barcode, boleto.pix)

    def prefetch(self, boletos: list[BoletoData]) -> None:
        """Start fetching/rendering these boletos' PDFs in one background thread, in this order."""
        from concurrent.futures import ThreadPoolExecutor

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
        import httpx

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


# --- MIME --------------------------------------------------------------------------------
def _qp(text: str) -> bytes:
    data = text.replace("\r\n", "\n").encode("utf-8")
    return binascii.b2a_qp(data, quotetabs=False, istext=True, header=False).replace(b"\n", b"\r\n")


def _header(value: str) -> str:
    try:
        value.encode("ascii")
        if len(value) < 900:
            return value
    except UnicodeEncodeError:
        pass
    return Header(value, "utf-8", maxlinelen=76).encode()


def build_mime(*, sender: str, sender_name: str | None, recipient: str, subject: str, text: str, html: str,
               attachments: list[tuple[str, bytes]], message_id: str, when: datetime | None = None) -> bytes:
    """A multipart/mixed message (alternative text+html, then PDFs) as SMTP-ready bytes (CRLF)."""
    mixed = f"=_mix_{uuid.uuid4().hex}"
    alt = f"=_alt_{uuid.uuid4().hex}"
    when = when or datetime.now(timezone.utc)
    from_header = formataddr((sender_name, sender), charset="utf-8") if sender_name else sender
    head = (
        f"From: {from_header}\r\n"
        f"To: {recipient}\r\n"
        f"Subject: {_header(subject)}\r\n"
        f"Date: {format_datetime(when)}\r\n"
        f"Message-ID: {message_id}\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="{mixed}"\r\n'
        "\r\n"
        f"--{mixed}\r\n"
        f'Content-Type: multipart/alternative; boundary="{alt}"\r\n'
        "\r\n"
        f"--{alt}\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode("utf-8")
    parts = [head, _qp(text), (
        f"\r\n--{alt}\r\n"
        'Content-Type: text/html; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode("ascii"), _qp(html), f"\r\n--{alt}--\r\n".encode("ascii")]
    for filename, encoded in attachments:
        parts.append((
            f"\r\n--{mixed}\r\n"
            f'Content-Type: application/pdf; name="{filename}"\r\n'
            "Content-Transfer-Encoding: base64\r\n"
            f'Content-Disposition: attachment; filename="{filename}"\r\n\r\n'
        ).encode("ascii"))
        parts.append(encoded)
    parts.append(f"\r\n--{mixed}--\r\n".encode("ascii"))
    return b"".join(parts)


@dataclass
class MessageFactory:
    """Builds the messages of one campaign batch (templates compiled once, PDFs cached per boleto)."""

    operation_name: str
    sender: str
    templates: CompiledTemplates
    pdfs: PdfSource

    @classmethod
    def for_campaign(cls, campaign, sender: str) -> "MessageFactory":
        return cls(campaign.operation.name, sender, templates_for(campaign.campaign_type),
                   PdfSource.for_operation(campaign.operation))

    def build(self, *, recipient: str, client_name: str | None, boletos: list[BoletoData], message_id: str) -> bytes:
        context = message_context(self.operation_name, client_name, recipient, boletos)
        subject, html, text = self.templates.render(context)
        attachments = [self.pdfs.attachment(b) for b in boletos]
        return build_mime(sender=self.sender, sender_name=self.operation_name, recipient=recipient, subject=subject,
                          text=text, html=html, attachments=attachments, message_id=message_id)

    def close(self) -> None:
        self.pdfs.close()


def preview(campaign_type, client_name: str = "Maria da Silva", email: str = "cliente@exemplo.com.br") -> dict:
    """Subject, HTML and text of a campaign type with sample data (admin preview)."""
    templates = templates_for(campaign_type)
    context = message_context(campaign_type.operation.name if campaign_type.operation else "Operação",
                              client_name, email, SAMPLE_BOLETOS)
    subject, html, text = templates.render(context)
    return {"subject": subject, "html": html, "text": text}
