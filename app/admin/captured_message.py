"""A captured email as the debtor sees it: headers that matter, text and HTML parts, attachments.

Pure functions over the raw MIME source (CapturedEmail.raw); the view (captured.py) serves them.
Inline images (Content-ID) are put into the HTML as data: URIs, so the sandboxed frame, which
loads nothing from the network, still shows them.
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

SHOWN_HEADERS = ("From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID")
CID_REF = re.compile(r"""cid:([^"'\s)>]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Attachment:
    index: int  # position among the message's leaf parts (the download route's number)
    filename: str
    content_type: str
    size: int


@dataclass
class Readable:
    headers: list[tuple[str, str]] = field(default_factory=list)
    text: str | None = None
    has_html: bool = False
    attachments: list[Attachment] = field(default_factory=list)


def parse(raw: str) -> EmailMessage:
    # The catcher stores the bytes decoded as UTF-8: back to bytes, so 8bit parts decode with their charset.
    return message_from_bytes((raw or "").encode("utf-8", errors="surrogateescape"), policy=policy.default)


def _leaves(message: EmailMessage) -> list[EmailMessage]:
    return [part for part in message.walk() if not part.is_multipart()]


def _is_attachment(part: EmailMessage) -> bool:
    """Attachments: parts marked so or named; not the text bodies, nor the HTML's images (Content-ID)."""
    if part.get_content_disposition() == "attachment" or part.get_filename():
        return True
    if part.get_content_maintype() == "text" or part.get("Content-ID"):
        return False
    return True


def _body(message: EmailMessage, subtype: str) -> str | None:
    try:
        part = message.get_body(preferencelist=(subtype,))
    except (KeyError, LookupError):
        return None
    if part is None or part.get_content_subtype() != subtype:
        return None
    try:
        return part.get_content()
    except (LookupError, UnicodeError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def readable(raw: str) -> Readable:
    message = parse(raw)
    result = Readable(headers=[(name, str(message[name])) for name in SHOWN_HEADERS if message[name] is not None])
    result.text = _body(message, "plain")
    result.has_html = _body(message, "html") is not None
    for index, part in enumerate(_leaves(message)):
        if _is_attachment(part):
            payload = part.get_payload(decode=True) or b""
            result.attachments.append(Attachment(index, attachment_filename(part, index), part.get_content_type(),
                                                 len(payload)))
    return result


def attachment_filename(part: EmailMessage, index: int) -> str:
    name = (part.get_filename() or "").replace("/", "_").replace("\\", "_").strip()
    return name or f"parte-{index}"


def attachment(raw: str, index: int) -> tuple[str, str, bytes] | None:
    """(filename, content type, bytes) of the leaf part at `index`, when it is an attachment."""
    leaves = _leaves(parse(raw))
    if not 0 <= index < len(leaves) or not _is_attachment(leaves[index]):
        return None
    part = leaves[index]
    return attachment_filename(part, index), part.get_content_type(), part.get_payload(decode=True) or b""


def html_with_inline_images(raw: str) -> str | None:
    """The HTML part with every `cid:` reference replaced by its image as a data: URI."""
    message = parse(raw)
    html = _body(message, "html")
    if html is None:
        return None
    images = {}
    for part in _leaves(message):
        cid = (part.get("Content-ID") or "").strip().strip("<>")
        if cid:
            data = base64.b64encode(part.get_payload(decode=True) or b"").decode()
            images[cid.lower()] = f"data:{part.get_content_type()};base64,{data}"
    return CID_REF.sub(lambda m: images.get(m.group(1).lower(), m.group(0)), html)
