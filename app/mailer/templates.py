"""What a boleto email says: the campaign type's sandboxed Jinja templates and the data they are rendered with.

Templates render in a bounded sandbox (app/mailer/sandbox.py); the HTML then has its <style> inlined by
css-inline (mail clients keep inline styles only). Compiled templates are cached by their text.
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from functools import cached_property
from datetime import date
from decimal import Decimal

import css_inline
from jinja2 import TemplateError
from jinja2.sandbox import SecurityError

from app.boletos.details import DETAIL_FIELDS
from app.boletos.pdf import format_line
from app.web import brl

from .branding import Brand
from .default_templates import DEFAULT_BODY_HTML, DEFAULT_BODY_TEXT, DEFAULT_SUBJECT
from .pix import pix_qr_cid
from .sandbox import BoundedSandbox, TemplateLimit, bounded_render
from .wording import due_dates_phrase, title_name


class TemplateProblem(ValueError):
    """An admin's template does not compile or render (message in pt-BR)."""


def date_br(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


_html_env = BoundedSandbox(autoescape=True)
_text_env = BoundedSandbox(autoescape=False)
# Never fetch a stylesheet an admin's template links to; keep @media rules (phones) in a <style> block.
_inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_at_rules=True)
_cache_lock = threading.Lock()
_template_cache: dict[str, "CompiledTemplates"] = {}


@dataclass
class CompiledTemplates:
    subject: object
    html: object
    text: object
    html_inlined: object | None = None  # the HTML template with its CSS already inlined (see _inline_once)

    def render(self, context: dict) -> tuple[str, str, str]:
        try:
            subject = " ".join(bounded_render(self.subject, context).split())
            if self.html_inlined is not None:
                html = bounded_render(self.html_inlined, context)
            else:
                html = _inliner.inline(bounded_render(self.html, context))
            return subject, html, bounded_render(self.text, context)
        except TemplateLimit as exc:
            raise TemplateProblem(f"Modelo recusado: {exc}.") from exc
        except SecurityError as exc:
            raise TemplateProblem(f"Modelo recusado: {exc}.") from exc
        except TemplateError as exc:
            raise TemplateProblem(f"Erro no modelo do e-mail: {exc}") from exc
        except RecursionError as exc:
            raise TemplateProblem("Modelo recusado: uma macro chama a si mesma sem fim.") from exc
        except Exception as exc:  # bad filters on data, css-inline on broken HTML
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
    compiled.html_inlined = _inline_once(html, compiled.html)
    with _cache_lock:
        if len(_template_cache) > 200:
            _template_cache.clear()
        _template_cache[key] = compiled
    return compiled


def _inline_once(source: str, compiled_html) -> object | None:
    """The HTML template with its CSS inlined once, in the source, when that renders the same as inlining every
    message (checked on the sample data, one and two boletos, with and without branding); else None.

    Inlining a rendered message costs about half a millisecond, most of a message's build. Inlining the source
    is safe for the default and for most templates, but not where HTML parsing would move a Jinja tag (text
    directly inside <table>, for one): those templates keep being inlined per message.
    """
    try:
        inlined = _html_env.from_string(_inliner.inline(source))
        for brand in (Brand("Operação"), _SAMPLE_BRAND):
            for boletos in (SAMPLE_BOLETOS[:1], SAMPLE_BOLETOS):
                context = message_context(brand, SAMPLE_CLIENT_NAME, "cliente@exemplo.com.br", boletos)
                once = bounded_render(inlined, context)
                each = _inliner.inline(bounded_render(compiled_html, context))
                if once.split() != each.split():
                    return None
        return inlined
    except Exception:  # noqa: BLE001 (anything here only means "inline per message", which reports errors itself)
        return None


def check_template(kind: str, source: str | None) -> str | None:
    """Why one part ("subject", "html" or "text") cannot be saved, in pt-BR, or None: compiled and rendered with
    the sample data, within the sandbox's bounds (a hostile or runaway template is refused here, not mid-batch)."""
    if not (source or "").strip():
        return None  # blank: the default
    parts = {"subject": (source, None, None), "html": (None, source, None), "text": (None, None, source)}[kind]
    try:
        compile_templates(*parts).render(message_context(Brand("Operação"), SAMPLE_CLIENT_NAME,
                                                         "cliente@exemplo.com.br", SAMPLE_BOLETOS))
    except TemplateProblem as exc:
        return str(exc)
    return None


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
    # The pagador printed on a drawn boleto (the client's own name and CPF).
    payer_name: str | None = None
    payer_cpf: str | None = None
    # The creditor's optional print fields (app.boletos.details.DETAIL_FIELDS), for a drawn boleto.
    nosso_numero: str | None = None
    document_number: str | None = None
    document_date: date | None = None
    instructions: str | None = None
    beneficiary_name: str | None = None
    beneficiary_cnpj: str | None = None
    beneficiary_agency_code: str | None = None
    beneficiary_address: str | None = None

    @classmethod
    def from_row(cls, boleto, agreement_external_id: str, payer: tuple[str | None, str | None] = (None, None)
                 ) -> "BoletoData":
        return cls(boleto.id, agreement_external_id, boleto.number, boleto.total, boleto.amount, boleto.due_date,
                   boleto.line, boleto.barcode, boleto.pix, boleto.pdf_url, *payer,
                   **{name: getattr(boleto, name) for name in DETAIL_FIELDS})

    def context(self) -> dict:
        """What a template sees of this boleto; built once per boleto (a client's addresses share it; templates
        cannot change it: the sandbox is immutable)."""
        return self._context

    @cached_property
    def _context(self) -> dict:
        return {
            "acordo": self.agreement,
            "parcela": self.number or "",
            "total_parcelas": self.total or "",
            "valor": brl(self.amount) if self.amount is not None else "",
            "vencimento": date_br(self.due_date),
            "linha_digitavel": format_line(self.line),
            "codigo_barras": self.barcode or "",
            "pix": self.pix or "",
            "pix_qr_cid": pix_qr_cid(self.pix) if self.pix else "",
        }


def _site_url(site: str) -> str:
    return site if site.startswith(("https://", "http://")) else f"https://{site}"


def message_context(brand: Brand | str, client_name: str | None, email: str, boletos: list[BoletoData]) -> dict:
    """The names a template may use (PLACEHOLDERS_HELP in app/admin/campaign_types.py lists them)."""
    brand = Brand(brand) if isinstance(brand, str) else brand
    items = [b.context() for b in boletos]
    dues = sorted(b.due_date for b in boletos if b.due_date)
    marca = brand.context()
    marca["site_url"] = _site_url(brand.site) if brand.site else ""
    return {
        "nome": title_name(client_name),
        "operacao": brand.name,
        "email": email,
        "boletos": items,
        "quantidade_boletos": len(items),
        "vencimentos": due_dates_phrase(dues),
        "primeiro_vencimento": date_br(dues[0]) if dues else "",
        "valor_total": brl(sum((b.amount or Decimal(0)) for b in boletos)),
        "marca": marca,
    }


# Sample data of the preview and the test send: a PIX boleto and a plain one, two due dates. The lines are
# valid (check digits) but fictitious; the PIX payload is a made-up "copia e cola"; 111.444.777-35 is the
# well-known sample CPF.
SAMPLE_CLIENT_NAME = "MARIA DA CONCEIÇÃO DOS SANTOS"
_SAMPLE_BRAND = Brand("Operação", logo=b"sample", logo_mime="image/png", phone="0800", site="exemplo.com.br",
                      hours="8h às 20h", legal_name="Razão social", cnpj="11.222.333/0001-81", reply_to=None)
SAMPLE_BOLETOS = [
    BoletoData(None, "AC-000123", 2, 6, Decimal("1234.56"), date(2026, 8, 5),
               "00190500954014481606906809350314337370000000100", None,
               "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR"
               "5913FULANO DE TAL6008BRASILIA62070503***63041D3D",
               payer_name=SAMPLE_CLIENT_NAME, payer_cpf="11144477735"),
    BoletoData(None, "AC-000123", 3, 6, Decimal("1234.56"), date(2026, 9, 5),
               "00190500954014481606906809350314337370000000100",
               payer_name=SAMPLE_CLIENT_NAME, payer_cpf="11144477735"),
]
