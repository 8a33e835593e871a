"""The boleto email as SMTP-ready bytes: HTML + text from the campaign type's templates, one PDF per boleto.

The MIME bytes are written directly (headers, quoted-printable bodies, cached
base64 attachments) rather than through `email.message.EmailMessage`: building
an EmailMessage costs more than sending it (docs/benchmarks.md), and a campaign
sends the same PDF to every address of a client. Tests parse the output with
the standard library to keep it honest.
"""
from __future__ import annotations

import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from email import policy
from email.header import Header
from email.headerregistry import Address
from email.utils import format_datetime
from functools import lru_cache

from app.security.text import without_control_characters

from .branding import Brand
from .pdfs import PdfSource
from .pix import pix_qr_base64, pix_qr_cid
from .templates import BoletoData, CompiledTemplates, TemplateProblem, message_context, templates_for


def new_message_id(sender: str) -> str:
    domain = (sender.rsplit("@", 1)[-1] or "preventivo.local").strip().lower()
    return f"<{uuid.uuid4().hex}@{domain}>"



@lru_cache(maxsize=256)
def from_address(name: str | None, address: str) -> str:
    """The From header's value: the display name encoded by email.headerregistry (quoted, RFC 2047 when not
    ASCII), never able to break the header; control characters become spaces."""
    if not name:
        return address
    header = policy.SMTP.header_factory("From", Address(display_name=without_control_characters(name).strip(),
                                                        addr_spec=address))
    return header.fold(policy=policy.SMTP)[len("From: "):].rstrip("\r\n")


def _qp(text: str) -> bytes:
    data = text.replace("\r\n", "\n").encode("utf-8")
    return binascii.b2a_qp(data, quotetabs=False, istext=True, header=False).replace(b"\n", b"\r\n")


def _header(value: str) -> str:
    value = without_control_characters(value)  # a line break in a subject would start a header of its own
    try:
        value.encode("ascii")
        if len(value) < 900:
            return value
    except UnicodeEncodeError:
        pass
    return Header(value, "utf-8", maxlinelen=76).encode()


@dataclass(frozen=True)
class InlineImage:
    """An image the HTML shows by `cid:` (multipart/related): base64 body with CRLF line breaks."""

    cid: str
    mime: str
    filename: str
    encoded: bytes


def build_mime(*, sender: str, sender_name: str | None, recipient: str, subject: str, text: str, html: str,
               attachments: list[tuple[str, bytes]], message_id: str, when: datetime | None = None,
               inline: list[InlineImage] | tuple = (), reply_to: str | None = None) -> bytes:
    """multipart/mixed [ related [ alternative [text, html], inline images ], PDFs ] as SMTP-ready bytes (CRLF).

    Without inline images the related level is left out.
    """
    mixed = f"=_mix_{uuid.uuid4().hex}"
    rel = f"=_rel_{uuid.uuid4().hex}"
    alt = f"=_alt_{uuid.uuid4().hex}"
    when = when or datetime.now(timezone.utc)
    from_header = from_address(sender_name, sender)
    head = (
        f"From: {from_header}\r\n"
        f"To: {recipient}\r\n"
        + (f"Reply-To: {without_control_characters(reply_to)}\r\n" if reply_to else "")
        + f"Subject: {_header(subject)}\r\n"
        f"Date: {format_datetime(when)}\r\n"
        f"Message-ID: {message_id}\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="{mixed}"\r\n'
        "\r\n"
        f"--{mixed}\r\n"
    )
    if inline:
        head += (f'Content-Type: multipart/related; type="multipart/alternative"; boundary="{rel}"\r\n'
                 "\r\n"
                 f"--{rel}\r\n")
    head += (
        f'Content-Type: multipart/alternative; boundary="{alt}"\r\n'
        "\r\n"
        f"--{alt}\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    )
    parts = [head.encode("utf-8"), _qp(text), (
        f"\r\n--{alt}\r\n"
        'Content-Type: text/html; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode("ascii"), _qp(html), f"\r\n--{alt}--\r\n".encode("ascii")]
    if inline:
        parts.extend(_related_parts(rel, inline))
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


def _related_parts(boundary: str, inline) -> list[bytes]:
    parts = []
    for image in inline:
        parts.append((
            f"\r\n--{boundary}\r\n"
            f'Content-Type: {image.mime}; name="{image.filename}"\r\n'
            "Content-Transfer-Encoding: base64\r\n"
            f"Content-ID: <{image.cid}>\r\n"
            f'Content-Disposition: inline; filename="{image.filename}"\r\n\r\n'
        ).encode("ascii"))
        parts.append(image.encoded)
    parts.append(f"\r\n--{boundary}--\r\n".encode("ascii"))
    return parts


def inline_images(brand: Brand, boletos: list[BoletoData]) -> list[InlineImage]:
    """The logo (when the operation has one) and one PIX QR per distinct payload, all cached."""
    images = []
    if brand.logo:
        images.append(InlineImage(brand.logo_cid, brand.logo_mime or "image/png", brand.logo_filename,
                                  brand.logo_base64()))
    seen = set()
    for boleto in boletos:
        if boleto.pix and boleto.pix not in seen:
            seen.add(boleto.pix)
            images.append(InlineImage(pix_qr_cid(boleto.pix), "image/png", f"pix-{len(seen)}.png",
                                      pix_qr_base64(boleto.pix)))
    return images


@dataclass
class MessageFactory:
    """Builds the messages of one campaign batch (templates compiled once, PDFs cached per boleto)."""

    brand: Brand
    sender: str
    templates: CompiledTemplates
    pdfs: PdfSource

    @classmethod
    def for_campaign(cls, campaign, sender: str) -> "MessageFactory":
        return cls(Brand.of(campaign.operation), sender, templates_for(campaign.campaign_type),
                   PdfSource.for_operation(campaign.operation))

    @property
    def operation_name(self) -> str:
        return self.brand.name

    def build(self, *, recipient: str, client_name: str | None, boletos: list[BoletoData], message_id: str) -> bytes:
        context = message_context(self.brand, client_name, recipient, boletos)
        subject, html, text = self.templates.render(context)
        attachments = [self.pdfs.attachment(b) for b in boletos]
        return build_mime(sender=self.sender, sender_name=self.brand.name, recipient=recipient, subject=subject,
                          text=text, html=html, attachments=attachments, message_id=message_id,
                          inline=inline_images(self.brand, boletos), reply_to=self.brand.reply_to)

    def note_for(self, boletos: list[BoletoData]) -> str | None:
        """Why some of these boletos' PDFs were drawn instead of the creditor's (after `build`)."""
        return self.pdfs.note_for(boletos)

    def close(self) -> None:
        self.pdfs.close()


class NoBoletos(LookupError):
    """The client has no selected boleto: there is nothing to send."""


class PreparedMessages:
    """The messages of one batch, each built once, the next one ahead while the server works on the current.

    `items` carry `client_id`, `email` and `message_id`; `boletos` and `names` are keyed by client id.
    """

    def __init__(self, factory: MessageFactory, items: list, boletos: dict, names: dict):
        self.factory, self.items, self.boletos, self.names = factory, items, boletos, names
        self._ready: dict[int, bytes] = {}

    def take(self, index: int) -> bytes:
        """The message of items[index]; raises NoBoletos or TemplateProblem when it cannot be built."""
        ready = self._ready.pop(index, None)
        return ready if ready is not None else self._build(index)

    def put_back(self, index: int, data: bytes) -> None:
        """Keep a built message for another try (through the next service)."""
        self._ready[index] = data

    def prepare(self, index: int) -> None:
        """Build items[index] now, quietly: a failure is met again, and recorded, when it is taken."""
        if index < len(self.items) and index not in self._ready:
            try:
                self._ready[index] = self._build(index)
            except (NoBoletos, TemplateProblem):
                pass

    def _build(self, index: int) -> bytes:
        item = self.items[index]
        boletos = self.boletos.get(item.client_id)
        if not boletos:
            raise NoBoletos(item.client_id)
        return self.factory.build(recipient=item.email, client_name=self.names.get(item.client_id), boletos=boletos,
                                  message_id=item.message_id)
