"""A parcela's optional print fields (nosso número, documento, instruções, beneficiário) from the contract's JSON.

Absent, null or blank gives None. A value of the wrong shape (an object where text is expected, a list
that is not of texts, a date that is not ISO 8601, a CNPJ whose check digits fail, a text past its
limit) is refused the way a bad `valor` is: the parcela is recorded invalid with the reason (pt-BR)
and never emailed. Printing a wrong CNPJ or a cut nosso número on a boleto is worse than not sending it.
"""
from __future__ import annotations

from datetime import date

from app.boletos.details import (
    DETAIL_FIELDS,
    LIMITS,
    MAX_INSTRUCTION_LENGTH,
    MAX_INSTRUCTION_LINES,
    valid_cnpj,
)
from app.security.text import without_control_characters


class _Refused(ValueError):
    pass


def _text(value, label: str, key: str) -> str | None:
    """A scalar text field: strings and integers (an id may come as a number), nothing else."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _Refused(f"Campo '{label}' deve ser texto")
    text = " ".join(without_control_characters(str(value)).split())
    if not text:
        return None
    if len(text) > LIMITS[key]:
        raise _Refused(f"Campo '{label}' com mais de {LIMITS[key]} caracteres")
    return text


def _date(value) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _Refused(f"Data do documento ilegível: {value!r}") from None


def _instructions(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _Refused("Campo 'instrucoes' deve ser uma lista de textos")
    lines = [" ".join(without_control_characters(item).split()) for item in value]
    lines = [line for line in lines if line]
    if len(lines) > MAX_INSTRUCTION_LINES:
        raise _Refused(f"Campo 'instrucoes' com mais de {MAX_INSTRUCTION_LINES} linhas")
    if any(len(line) > MAX_INSTRUCTION_LENGTH for line in lines):
        raise _Refused(f"Linha de 'instrucoes' com mais de {MAX_INSTRUCTION_LENGTH} caracteres")
    return "\n".join(lines) or None


def _cnpj(value) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):  # a number loses a CNPJ's leading zeros
        raise _Refused("CNPJ do beneficiário deve ser texto")
    compact = valid_cnpj(value.strip())
    if compact is None:
        raise _Refused(f"CNPJ do beneficiário inválido: {value.strip()[:30]!r}")
    return compact


def parse_details(raw: dict) -> tuple[dict, list[str]]:
    """({field: value or None} for every name of DETAIL_FIELDS, [reasons a value was refused])."""
    values = dict.fromkeys(DETAIL_FIELDS)
    problems: list[str] = []

    def take(key: str, parse, *args) -> None:
        try:
            values[key] = parse(*args)
        except _Refused as refused:
            problems.append(str(refused))

    take("nosso_numero", _text, raw.get("nosso_numero"), "nosso_numero", "nosso_numero")
    take("document_number", _text, raw.get("numero_documento"), "numero_documento", "document_number")
    take("document_date", _date, raw.get("data_documento"))
    take("instructions", _instructions, raw.get("instrucoes"))
    beneficiary = raw.get("beneficiario")
    if beneficiary is not None and not isinstance(beneficiary, dict):
        problems.append("Campo 'beneficiario' deve ser um objeto")
    elif beneficiary:
        take("beneficiary_name", _text, beneficiary.get("nome"), "beneficiario.nome", "beneficiary_name")
        take("beneficiary_cnpj", _cnpj, beneficiary.get("cnpj"))
        take("beneficiary_agency_code", _text, beneficiary.get("agencia_codigo"), "beneficiario.agencia_codigo",
             "beneficiary_agency_code")
        take("beneficiary_address", _text, beneficiary.get("endereco"), "beneficiario.endereco",
             "beneficiary_address")
    return values, problems
