"""The provider contract's answer as dataclasses (docs/provider-api.md).

`parse_answer` raises `ContractError` for an answer that breaks the contract as
a whole (the client is then `api_error`); a single parcela that fails (line,
amount, due date, a malformed optional print field) is kept, marked invalid with
its reason, and never sent.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from app.boletos.lines import LineError, only_digits, parse_line, validate_barcode

from .boleto_details import parse_details

PARCELA_STATUSES = ("aberta", "paga", "cancelada")
_AMOUNT = re.compile(r"^\d{1,10}(\.\d{1,2})?$")


class ContractError(ValueError):
    """The body is not the contract's JSON; the message is the reason shown to people (pt-BR)."""


@dataclass
class ParcelaData:
    id: str
    number: int | None
    total: int | None
    amount: Decimal | None
    due_date: date | None
    status: str
    line: str | None
    barcode: str | None
    pix: str | None
    pdf_url: str | None
    valid: bool = True
    invalid_reason: str | None = None
    # Optional print fields (app.boletos.details.DETAIL_FIELDS); None when the creditor sent none.
    nosso_numero: str | None = None
    document_number: str | None = None
    document_date: date | None = None
    instructions: str | None = None  # one instruction per line
    beneficiary_name: str | None = None
    beneficiary_cnpj: str | None = None
    beneficiary_agency_code: str | None = None
    beneficiary_address: str | None = None


@dataclass
class AgreementData:
    id: str
    parcelas: list[ParcelaData] = field(default_factory=list)


@dataclass
class ClientAnswer:
    cpf: str
    name: str | None
    agreements: list[AgreementData] = field(default_factory=list)


def _text(value, limit: int) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text[:limit] or None


def _int(value) -> int | None:
    try:
        return int(value) if value is not None and str(value).strip() != "" else None
    except (TypeError, ValueError):
        return None


def parse_answer(cpf: str, payload) -> ClientAnswer:
    if not isinstance(payload, dict):
        raise ContractError("Resposta da API não é um objeto JSON")
    acordos = payload.get("acordos")
    if acordos is None:
        acordos = []
    if not isinstance(acordos, list):
        raise ContractError("Campo 'acordos' não é uma lista")
    answer = ClientAnswer(cpf=cpf, name=_text(payload.get("nome"), 255))
    seen_agreements: set[str] = set()
    for acordo in acordos:
        if not isinstance(acordo, dict) or not _text(acordo.get("id"), 100):
            raise ContractError("Acordo sem 'id' na resposta da API")
        agreement = AgreementData(id=_text(acordo["id"], 100))
        if agreement.id in seen_agreements:
            continue  # a repeated agreement is the same agreement
        seen_agreements.add(agreement.id)
        parcelas = acordo.get("parcelas") or []
        if not isinstance(parcelas, list):
            raise ContractError(f"Acordo {agreement.id}: 'parcelas' não é uma lista")
        seen_parcelas: set[str] = set()
        for raw in parcelas:
            if not isinstance(raw, dict) or not _text(raw.get("id"), 100):
                raise ContractError(f"Acordo {agreement.id}: parcela sem 'id'")
            parcela = parse_parcela(raw)
            if parcela.id in seen_parcelas:
                continue
            seen_parcelas.add(parcela.id)
            agreement.parcelas.append(parcela)
        answer.agreements.append(agreement)
    return answer


def _amount(raw: dict, problems: list[str]) -> Decimal | None:
    amount = None
    raw_amount = raw.get("valor")
    text_amount = str(raw_amount).strip() if raw_amount is not None else ""
    if _AMOUNT.match(text_amount):
        try:
            amount = Decimal(text_amount).quantize(Decimal("0.01"))
        except InvalidOperation:
            amount = None
    if amount is None:
        problems.append(f"Valor ilegível: {text_amount!r}" if text_amount else "Valor ausente")
    return amount


def _due(raw: dict, problems: list[str]) -> date | None:
    raw_due = raw.get("vencimento")
    try:
        due = date.fromisoformat(str(raw_due).strip()) if raw_due else None
    except ValueError:
        due = None
    if due is None:
        problems.append(f"Vencimento ilegível: {raw_due!r}" if raw_due else "Vencimento ausente")
    return due


def parse_parcela(raw: dict) -> ParcelaData:
    problems: list[str] = []
    amount = _amount(raw, problems)
    due = _due(raw, problems)

    status = (_text(raw.get("status"), 20) or "").lower()
    if status not in PARCELA_STATUSES:
        problems.append(f"Status desconhecido: {status!r}")

    line = only_digits(_text(raw.get("linha_digitavel"), 80))[:48] or None
    barcode = only_digits(_text(raw.get("codigo_barras"), 80))[:44] or None
    if not line:
        problems.append("Linha digitável ausente")
    else:
        try:
            parsed = parse_line(line, reference=due)
            if barcode and barcode != parsed.barcode:
                validate_barcode(barcode)  # names a bad barcode digit before the mismatch
                problems.append("Código de barras não corresponde à linha digitável")
            barcode = parsed.barcode
            if amount is not None and parsed.amount and parsed.amount != amount:
                problems.append(f"Valor da linha ({parsed.amount}) difere do valor informado ({amount})")
            if due is not None and parsed.due_date is not None and parsed.due_date != due:
                problems.append(f"Vencimento da linha ({parsed.due_date.isoformat()}) difere do informado ({due.isoformat()})")
        except LineError as exc:
            problems.append(exc.reason)

    details, refused = parse_details(raw)
    problems.extend(refused)

    return ParcelaData(
        id=_text(raw["id"], 100),
        number=_int(raw.get("numero")),
        total=_int(raw.get("total_parcelas")),
        amount=amount,
        due_date=due,
        status=status,
        line=line if line and len(line) in (47, 48) else (line[:48] if line else None),
        barcode=barcode if barcode and len(barcode) == 44 else None,
        pix=_text(raw.get("pix_copia_cola"), 2000),
        pdf_url=_text(raw.get("pdf_url"), 1000),
        valid=not problems,
        invalid_reason="; ".join(problems) or None,
        **details,
    )
