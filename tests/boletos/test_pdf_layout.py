"""The drawn boleto's content: the ficha's fields in their boxes, blanks left blank, the bank, the metadata."""
from datetime import datetime, timedelta, timezone

import pytest

from app.boletos.banks import bank_check_digit
from app.boletos.layout import page_boxes
from app.boletos.pdf import format_line, render_boleto_pdf
from tests.boletos.samples import BANK_LINE, COLLECTION_LINE, FULL, PIX, boleto
from tests.helpers.pdf_reading import pdf_date, read_pdf

BANK_BOXES, _ = page_boxes("bank")
COLLECTION_BOXES, _ = page_boxes("collection")


def _boxes(pdf: bytes, boxes=BANK_BOXES) -> dict:
    return read_pdf(pdf, boxes).boxes


def test_every_field_the_creditor_sent_is_in_its_box_on_the_ficha():
    boxes = _boxes(render_boleto_pdf(boleto(**FULL)))

    assert {label: text for (part, label), text in boxes.items() if part == "ficha"} == {
        "Local de pagamento": "Local de pagamento Pagável em qualquer banco",
        "Vencimento": "Vencimento 07/12/2026",
        "Beneficiário": "Beneficiário OPERADORA EXEMPLO S.A. — CNPJ 11.222.333/0001-81 Av. Exemplo, 100 - São Paulo/SP",
        "Agência/Código do Beneficiário": "Agência/Código do Beneficiário 1234-5 / 0012345-6",
        "Data do documento": "Data do documento 20/11/2026",
        "Número do documento": "Número do documento AC000123-01",
        "Espécie": "Espécie R$",
        "Acordo / Parcela": "Acordo / Parcela AC-000123 — parcela 2 de 6",
        "Nosso número": "Nosso número 14000000012345678",
        "Instruções (texto de responsabilidade do beneficiário)": "Instruções (texto de responsabilidade do "
        "beneficiário) Não receber após 30 dias do vencimento. Multa de 2% após o vencimento.",
        "(=) Valor do documento": "(=) Valor do documento R$ 1.234,56",
        "(-) Desconto / Abatimento": "(-) Desconto / Abatimento",
        "(+) Juros / Multa": "(+) Juros / Multa",
        "(=) Valor cobrado": "(=) Valor cobrado",
        "Pagador": "Pagador MARIA DA CONCEIÇÃO — CPF 123.456.789-09",
    }


@pytest.mark.parametrize("label", ["Beneficiário", "Agência/Código do Beneficiário", "Nosso número",
                                   "Número do documento", "Data do documento", "Pagador",
                                   "Instruções (texto de responsabilidade do beneficiário)"])
def test_a_field_the_creditor_did_not_send_is_blank(label):
    boxes = _boxes(render_boleto_pdf(boleto()))

    assert boxes[("ficha", label)] == label
    assert boxes.get(("recibo", label), label) == label


def test_the_recibo_do_pagador_repeats_the_payers_fields_above_the_cut_line():
    boxes = _boxes(render_boleto_pdf(boleto(**FULL)))

    assert boxes[("recibo", "Pagador")] == "Pagador MARIA DA CONCEIÇÃO — CPF 123.456.789-09"
    assert boxes[("recibo", "Nosso número")] == "Nosso número 14000000012345678"
    assert boxes[("recibo", "Linha digitável")] == f"Linha digitável {format_line(BANK_LINE)}"


def test_the_header_carries_the_bank_code_with_its_check_digit_and_the_line():
    text = read_pdf(render_boleto_pdf(boleto())).text

    assert "Bradesco 237-2" in text and "Corte na linha pontilhada" in text


@pytest.mark.parametrize("code, digit", [("001", "9"), ("033", "7"), ("041", "8"), ("104", "0"), ("237", "2"),
                                         ("341", "7"), ("399", "9"), ("748", "X"), ("756", "0")])
def test_the_bank_check_digit_is_the_one_banks_print(code, digit):
    assert bank_check_digit(code) == digit


def test_a_collection_slip_has_its_segment_and_no_bank_fields():
    read = read_pdf(render_boleto_pdf(boleto(COLLECTION_LINE, **FULL)), COLLECTION_BOXES)

    assert "Arrecadação — Telecomunicações" in read.text
    for bank_only in ("Local de pagamento", "Agência/Código", "Nosso número", "14000000012345678", "Espécie",
                      "Banco"):
        assert bank_only not in read.text
    assert read.boxes[("ficha", "Beneficiário")].startswith("Beneficiário OPERADORA EXEMPLO S.A. — CNPJ 11.222.333")


def test_the_pix_copia_e_cola_is_printed_beside_the_qr_code():
    text = "".join(read_pdf(render_boleto_pdf(boleto(pix=PIX))).text.split())

    assert "PaguecomPIX" in text and "PIXcopiaecola" + PIX.replace(" ", "") in text


def test_the_metadata_has_title_author_and_a_real_creation_date():
    before = datetime.now(timezone.utc).replace(microsecond=0)
    meta = read_pdf(render_boleto_pdf(boleto())).metadata

    assert meta["Title"] == "Boleto Claro — acordo AC-000123, parcela 2 de 6"
    assert meta["Author"] == "Claro"
    assert before <= pdf_date(meta["CreationDate"]) <= datetime.now(timezone.utc) + timedelta(seconds=1)
