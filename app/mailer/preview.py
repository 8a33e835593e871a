"""A campaign type's email with sample data: the admin's preview (browser-ready HTML, text, sample PDF) and the
test message sent through the operation's bound service."""
from __future__ import annotations

import re

from .branding import Brand
from .message import MessageFactory, inline_images, new_message_id
from .pdfs import PdfSource
from .templates import SAMPLE_BOLETOS, SAMPLE_CLIENT_NAME, message_context, templates_for

SAMPLE_EMAIL = "cliente@exemplo.com.br"


def _brand(campaign_type) -> Brand:
    return Brand.of(campaign_type.operation) if campaign_type.operation else Brand("Operação")


def _pdfs(campaign_type) -> PdfSource:
    """Draws the sample boletos as a campaign would: the operation's legal name and CNPJ as the beneficiário.
    (The samples have no pdf_url: nothing is fetched, so no provider settings are needed.)"""
    op = campaign_type.operation
    return PdfSource(_brand(campaign_type).name, beneficiary=(op.legal_name, op.cnpj) if op else (None, None))


def preview(campaign_type, email: str = SAMPLE_EMAIL) -> dict:
    """Subject, HTML and text with sample data. The HTML's cid: images become data: URIs (a browser cannot
    resolve cid:), which the panel's CSP allows for images. Raises TemplateProblem."""
    brand = _brand(campaign_type)
    subject, html, text = templates_for(campaign_type).render(
        message_context(brand, SAMPLE_CLIENT_NAME, email, SAMPLE_BOLETOS))
    images = {image.cid: f"data:{image.mime};base64," + image.encoded.replace(b"\r\n", b"").decode("ascii")
              for image in inline_images(brand, SAMPLE_BOLETOS)}
    browser_html = re.sub(r"cid:([^\"'\s>]+)", lambda m: images.get(m.group(1), m.group(0)), html)
    return {"subject": subject, "html": browser_html, "text": text}


def sample_pdf(campaign_type) -> tuple[str, bytes]:
    """(filename, PDF) of the first sample boleto, drawn as a campaign would draw it."""
    source = _pdfs(campaign_type)
    try:
        return source.filename(SAMPLE_BOLETOS[0]), source.pdf_bytes(SAMPLE_BOLETOS[0])
    finally:
        source.close()


def sample_message(campaign_type, sender: str, recipient: str) -> bytes:
    """The sample email as the campaign would send it (same factory, same MIME). Raises TemplateProblem."""
    factory = MessageFactory(_brand(campaign_type), sender, templates_for(campaign_type), _pdfs(campaign_type))
    try:
        return factory.build(recipient=recipient, client_name=SAMPLE_CLIENT_NAME, boletos=SAMPLE_BOLETOS,
                             message_id=new_message_id(sender))
    finally:
        factory.close()
