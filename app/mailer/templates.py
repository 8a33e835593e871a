"""What a boleto email says: the campaign type's sandboxed Jinja templates and the data they are rendered with."""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.boletos.details import DETAIL_FIELDS
from app.boletos.pdf import format_line
from app.web import brl

from .default_templates import DEFAULT_BODY_HTML, DEFAULT_BODY_TEXT, DEFAULT_SUBJECT


class TemplateProblem(ValueError):
    """An admin's template does not compile or render (message in pt-BR)."""


def date_br(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


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


def preview(campaign_type, client_name: str = "Maria da Silva", email: str = "cliente@exemplo.com.br") -> dict:
    """Subject, HTML and text of a campaign type with sample data (admin preview)."""
    templates = templates_for(campaign_type)
    context = message_context(campaign_type.operation.name if campaign_type.operation else "Operação",
                              client_name, email, SAMPLE_BOLETOS)
    subject, html, text = templates.render(context)
    return {"subject": subject, "html": html, "text": text}
