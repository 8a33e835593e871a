"""The contract's optional print fields: parsed as given, blank as None, a bad shape refused, stored on the boleto."""
from datetime import date

import pytest

from app.boletos.details import DETAIL_FIELDS
from app.campaigns.collection import collect_chunk
from app.campaigns.collection_chunks import plan_chunks
from app.models import Boleto
from app.providers.contract import parse_parcela
from app.providers.sandbox import sandbox_answer
from app.timeutil import local_date, now_utc
from tests.helpers.collection_factories import answer, cpf_of, make_campaign, parcela

DUE = date(2026, 12, 7)
FULL = {
    "nosso_numero": "14000000012345678",
    "numero_documento": "AC000123-01",
    "data_documento": "2026-11-20",
    "instrucoes": ["Não receber após 30 dias do vencimento.", "  ", "Multa de 2% após o vencimento."],
    "beneficiario": {"nome": "OPERADORA EXEMPLO S.A.", "cnpj": "11.222.333/0001-81",
                     "agencia_codigo": "1234-5 / 0012345-6", "endereco": "Av. Exemplo, 100 - São Paulo/SP"},
}


def _fields(p) -> dict:
    return {name: getattr(p, name) for name in DETAIL_FIELDS}


def test_every_print_field_is_parsed_as_given():
    p = parse_parcela(parcela("BL-1", DUE, **FULL))

    assert p.valid, p.invalid_reason
    assert _fields(p) == {
        "nosso_numero": "14000000012345678", "document_number": "AC000123-01", "document_date": date(2026, 11, 20),
        "instructions": "Não receber após 30 dias do vencimento.\nMulta de 2% após o vencimento.",
        "beneficiary_name": "OPERADORA EXEMPLO S.A.", "beneficiary_cnpj": "11222333000181",
        "beneficiary_agency_code": "1234-5 / 0012345-6", "beneficiary_address": "Av. Exemplo, 100 - São Paulo/SP",
    }


def test_absent_print_fields_are_none():
    p = parse_parcela(parcela("BL-1", DUE))

    assert p.valid and set(_fields(p).values()) == {None}


def test_blank_print_fields_are_none():
    p = parse_parcela(parcela("BL-1", DUE, nosso_numero="  ", numero_documento="", data_documento="", instrucoes=[],
                              beneficiario={"nome": " ", "cnpj": "", "agencia_codigo": None}))

    assert p.valid and set(_fields(p).values()) == {None}


def test_the_alphanumeric_cnpj_of_july_2026_is_accepted():
    p = parse_parcela(parcela("BL-1", DUE, beneficiario={"cnpj": "12.ABC.345/01DE-35"}))

    assert p.valid and p.beneficiary_cnpj == "12ABC34501DE35"


@pytest.mark.parametrize("extra, reason", [
    ({"nosso_numero": {"n": 1}}, "Campo 'nosso_numero' deve ser texto"),
    ({"nosso_numero": "9" * 41}, "Campo 'nosso_numero' com mais de 40 caracteres"),
    ({"numero_documento": ["A"]}, "Campo 'numero_documento' deve ser texto"),
    ({"data_documento": "20/11/2026"}, "Data do documento ilegível"),
    ({"data_documento": 20261120}, "Data do documento ilegível"),
    ({"instrucoes": "Não receber após o vencimento"}, "Campo 'instrucoes' deve ser uma lista de textos"),
    ({"instrucoes": ["ok", 3]}, "Campo 'instrucoes' deve ser uma lista de textos"),
    ({"instrucoes": ["linha"] * 11}, "Campo 'instrucoes' com mais de 10 linhas"),
    ({"beneficiario": "OPERADORA"}, "Campo 'beneficiario' deve ser um objeto"),
    ({"beneficiario": {"cnpj": "11222333000182"}}, "CNPJ do beneficiário inválido"),
    ({"beneficiario": {"cnpj": 11222333000181}}, "CNPJ do beneficiário deve ser texto"),
    ({"beneficiario": {"nome": True}}, "Campo 'beneficiario.nome' deve ser texto"),
])
def test_a_print_field_of_the_wrong_shape_makes_the_parcela_invalid_with_the_reason(extra, reason):
    p = parse_parcela(parcela("BL-1", DUE, **extra))

    assert not p.valid and reason in p.invalid_reason


def test_the_print_fields_are_stored_on_the_boleto(seeded, provider):
    d = local_date(now_utc())
    cpf = cpf_of(7)
    provider.script[cpf] = [(200, answer(cpf, ("AC-1", [parcela("BL-1", d, **FULL), parcela("BL-2", d)])))]
    campaign = make_campaign(provider.url, clients=[(cpf, [f"{cpf}@x.com"])])
    plan_chunks(campaign.id)

    collect_chunk(campaign.id, 0)

    full, bare = Boleto.query.order_by(Boleto.external_id).all()
    assert _fields(full) == _fields(parse_parcela(parcela("BL-1", d, **FULL)))
    assert set(_fields(bare).values()) == {None}


def test_the_sandbox_serves_print_fields_that_parse_and_no_bank_fields_on_collection_slips():
    today = date(2026, 11, 27)
    parcelas = [parse_parcela(p) for n in range(1, 120) for a in (sandbox_answer(cpf_of(n), today) or {}).get("acordos", [])
                for p in a["parcelas"]]

    assert all(p.valid for p in parcelas)
    bank = [p for p in parcelas if not p.line.startswith("8")]
    collection = [p for p in parcelas if p.line.startswith("8")]
    assert sum(p.nosso_numero is not None for p in bank) > len(bank) / 2
    assert any(p.nosso_numero is None for p in bank)  # some boletos come without them: blank on the page
    assert all(p.beneficiary_cnpj for p in bank if p.nosso_numero)
    assert collection and all(p.nosso_numero is None and p.beneficiary_agency_code is None for p in collection)
    assert all(p.document_date <= p.due_date for p in parcelas if p.document_date)
