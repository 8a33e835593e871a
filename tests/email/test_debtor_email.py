"""The debtor's email: branded, inline images by CID, a text part that says it all, a subject that agrees."""
from datetime import date

from app.mailer.branding import Brand
from app.mailer.pix import pix_qr_cid
from app.boletos.pdf import format_line
from tests.email.helpers import BRAND, LINES, LOGO, PIX, boleto, html_of, message, part_with_cid, text_of

NOV30, DEC07 = date(2026, 11, 30), date(2026, 12, 7)


def test_the_html_shows_the_logo_by_cid_and_carries_that_part():
    msg = message([boleto(1, NOV30)])

    assert f'src="cid:{BRAND.logo_cid}"' in html_of(msg)
    part = part_with_cid(msg, BRAND.logo_cid)
    assert part.get_content_type() == "image/png" and part.get_content() == LOGO


def test_the_inline_images_sit_with_the_html_in_a_related_part():
    msg = message([boleto(1, NOV30)])

    assert [p.get_content_type() for p in msg.iter_parts()][:1] == ["multipart/related"]


def test_a_pix_boleto_has_its_qr_inline_and_the_copia_e_cola():
    msg = message([boleto(1, NOV30, pix=PIX)])

    html = html_of(msg)
    assert f'src="cid:{pix_qr_cid(PIX)}"' in html and PIX in html
    assert part_with_cid(msg, pix_qr_cid(PIX)).get_content().startswith(b"\x89PNG")
    assert f"PIX copia e cola: {PIX}" in text_of(msg)


def test_the_text_part_holds_every_linha_digitavel():
    msg = message([boleto(1, NOV30), boleto(2, DEC07), boleto(3, DEC07)])

    text = text_of(msg)
    assert all(format_line(line) in text for line in LINES)


def test_the_html_has_one_card_per_boleto_with_amount_and_due_date():
    html = html_of(message([boleto(1, NOV30), boleto(2, DEC07)]))

    assert html.count("Linha digitável (copie e cole") == 2
    assert "R$ 101,00" in html and "30/11/2026" in html and "R$ 102,00" in html and "07/12/2026" in html


def test_the_css_is_inlined_for_mail_clients():
    html = html_of(message([boleto(1, NOV30)]))

    assert "font-family: Arial" in html.split("<body", 1)[1]  # on the elements themselves, not only in <style>
    assert ".card {" not in html


def test_one_boleto_makes_a_singular_subject():
    assert message([boleto(1, NOV30)])["Subject"] == "Claro: seu boleto vence em 30/11/2026"


def test_three_boletos_on_two_dates_make_a_plural_subject_with_both_dates():
    msg = message([boleto(1, DEC07), boleto(2, NOV30), boleto(3, DEC07)])

    assert msg["Subject"] == "Claro: 3 boletos vencem em 30/11 e 07/12/2026"


def test_two_boletos_on_one_date_name_that_date_once():
    assert message([boleto(1, NOV30), boleto(2, NOV30)])["Subject"] == "Claro: 2 boletos vencem em 30/11/2026"


def test_dates_in_different_years_are_written_whole():
    msg = message([boleto(1, date(2026, 12, 30)), boleto(2, date(2027, 1, 6))])

    assert msg["Subject"] == "Claro: 2 boletos vencem em 30/12/2026 e 06/01/2027"


def test_the_greeting_is_in_title_case_with_particles_in_lower_case():
    msg = message([boleto(1, NOV30)], name="JOÃO DA CONCEIÇÃO")

    assert "Olá, João da Conceição!" in text_of(msg) and "Olá, João da Conceição!" in html_of(msg)


def test_the_provider_capitals_are_not_shouted_back():
    assert "Olá, Cliente Sandbox 2112!" in text_of(message([boleto(1, NOV30)], name="CLIENTE SANDBOX 2112"))


def test_both_parts_say_se_ja_pagou_and_give_the_service_line_and_the_cnpj():
    msg = message([boleto(1, NOV30)])

    for body in (text_of(msg), html_of(msg)):
        assert "Se já pagou, desconsidere" in body
        assert "0800 000 0001" in body and "www.claro.exemplo.com.br" in body
        assert "11.222.333/0001-81" in body and "Claro (razão social de exemplo)" in body


def test_the_reply_to_header_is_the_operations_when_it_has_one():
    assert message([boleto(1, NOV30)])["Reply-To"] == "atendimento@claro.exemplo.com.br"


def test_no_reply_to_header_when_the_operation_has_none():
    assert message([boleto(1, NOV30)], brand=Brand("Claro"))["Reply-To"] is None


def test_without_a_logo_the_name_is_shown_and_no_image_part_is_sent():
    msg = message([boleto(1, NOV30)], brand=Brand("Sem Parar"))

    assert "cid:" not in html_of(msg) and "Sem Parar" in html_of(msg)
    assert not [p for p in msg.walk() if p.get_content_maintype() == "image"]


def test_every_boleto_still_has_its_pdf_attached():
    msg = message([boleto(1, NOV30, pix=PIX), boleto(2, DEC07)])

    pdfs = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(pdfs) == 2 and all(p.get_content().startswith(b"%PDF") for p in pdfs)


def test_an_edited_template_looping_inside_a_table_keeps_every_row_with_its_css_inlined():
    from app.mailer.templates import compile_templates

    html_template = ("<style>td { color: #123456; }</style><table>{% for b in boletos %}"
                     "<tr><td>{{ b.vencimento }}</td></tr>{% endfor %}</table>")
    msg = message([boleto(1, NOV30), boleto(2, DEC07)], templates=compile_templates(None, html_template, None))

    html = html_of(msg)
    assert '<td style="color: #123456;">30/11/2026</td>' in html
    assert '<td style="color: #123456;">07/12/2026</td>' in html
