"""Building the debtor's email as a batch does (MessageFactory, real PDFs) and reading it back."""
from __future__ import annotations

import email
from datetime import date
from decimal import Decimal
from email import policy

from app.mailer.branding import Brand
from app.mailer.message import MessageFactory
from app.mailer.pdfs import PdfSource
from app.mailer.pix import pix_qr_png
from app.mailer.templates import BoletoData, compile_templates

LINES = [
    "00190500954014481606906809350314337370000000100",
    "23790448095616862379336011058009740430000124020",
    "34191090080012345678901234567890187650000010000",
]
PIX = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-42665544000052040000530398654041.005802BR"
LOGO = pix_qr_png("logotipo de teste")  # any real PNG will do

BRAND = Brand("Claro", color="#da291c", logo=LOGO, logo_mime="image/png", phone="0800 000 0001",
              site="www.claro.exemplo.com.br", hours="Segunda a sábado, das 8h às 20h",
              legal_name="Claro (razão social de exemplo)", cnpj="11.222.333/0001-81",
              reply_to="atendimento@claro.exemplo.com.br")


def boleto(n: int, due: date, pix: str | None = None) -> BoletoData:
    return BoletoData(None, "AC-1", n, 3, Decimal("100.00") + n, due, LINES[(n - 1) % 3], None, pix)


def message(boletos: list[BoletoData], name: str | None = "MARIA DA SILVA", brand: Brand = BRAND,
            templates=None):
    factory = MessageFactory(brand, "boletos@claro.exemplo.com.br", templates or compile_templates(None, None, None),
                             PdfSource(brand.name))
    try:
        raw = factory.build(recipient="cliente@exemplo.com.br", client_name=name, boletos=boletos,
                            message_id="<m1@claro.exemplo.com.br>")
    finally:
        factory.close()
    return email.message_from_bytes(raw, policy=policy.default)


def text_of(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def html_of(msg) -> str:
    return msg.get_body(("html",)).get_content()


def part_with_cid(msg, cid: str):
    return next((p for p in msg.walk() if p.get("Content-ID") == f"<{cid}>"), None)
