"""Is this message a bounce? For which addresses, hard or soft, why, and which message of ours bounced.

flufl.bounce finds the bouncing addresses in a DSN (RFC 3464) and in the common non-standard formats
(Postfix, Exim, qmail, Exchange...), split into temporary and permanent. The DSN's own per-recipient
Status decides when present (4.x.x soft, 5.x.x hard). The original Message-ID comes from the returned
message or headers (message/rfc822, text/rfc822-headers), else from a Message-ID line in the body.
An auto-reply or anything else with no bouncing address is not a bounce (None).
"""
from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import Message

from flufl.bounce import all_failures

HARD, SOFT = "hard", "soft"
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_REPLY = re.compile(r"\b([45]\d\d)[ -]")
_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)
DEFAULT_HARD_REASON = "Devolução permanente (endereço inexistente ou recusado)"
DEFAULT_SOFT_REASON = "Devolução temporária (por exemplo, caixa cheia)"


@dataclass
class Failure:
    email: str
    kind: str  # hard | soft
    reason: str


@dataclass
class Bounce:
    key: str  # the bounce's own Message-ID (or a hash of its bytes): reading it twice records it once
    original_message_id: str | None
    failures: list[Failure] = field(default_factory=list)


def parse(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def _address(value: str | None) -> str:
    value = (value or "").strip()
    if ";" in value:
        value = value.split(";", 1)[1]
    return value.strip().strip("<>").strip().lower()


def _dsn_fields(msg: Message) -> dict[str, tuple[str, str]]:
    """address → (Status, Diagnostic-Code) of every per-recipient block of a message/delivery-status part."""
    found: dict[str, tuple[str, str]] = {}
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in part.get_payload() or []:
            if not isinstance(block, Message):
                continue
            address = _address(block.get("Original-Recipient") or block.get("Final-Recipient"))
            final = _address(block.get("Final-Recipient"))
            status = (block.get("Status") or "").strip()
            diagnostic = " ".join((block.get("Diagnostic-Code") or "").split())
            if diagnostic.lower().startswith("smtp;"):
                diagnostic = diagnostic[5:].strip()
            for key in {address, final} - {""}:
                found[key] = (status, diagnostic)
    return found


def _text_of(msg: Message) -> str:
    """The human-readable text of the bounce (its text/plain parts, not the returned message)."""
    chunks = []
    for part in msg.walk():
        if part.get_content_type() == "message/rfc822":
            break
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True) or b""
            chunks.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
    return "\n".join(chunks)


def _reason_in_text(text: str, address: str) -> str:
    """A line of the text that names the address or a status code, as the reason."""
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if address in line.lower():
            nearby = " ".join(lines[index:index + 3])
            if _STATUS.search(nearby) or _REPLY.search(nearby):
                return nearby[:500]
    for line in lines:
        if _STATUS.search(line) or (_REPLY.search(line) and ("user" in line.lower() or "mailbox" in line.lower())):
            return line[:500]
    return ""


def _kind(status: str, text: str, permanent: bool) -> str:
    match = _STATUS.search(status or "") or _STATUS.search(text or "")
    if match and match.group(1) in "45":
        return SOFT if match.group(1) == "4" else HARD
    return HARD if permanent else SOFT


def original_message_id(msg: Message, raw: bytes) -> str | None:
    for part in msg.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message) and inner.get("Message-ID"):
                return inner["Message-ID"].strip()
        elif kind == "text/rfc822-headers":
            headers = email.message_from_string(part.get_payload(decode=True).decode("utf-8", "replace"))
            if headers.get("Message-ID"):
                return headers["Message-ID"].strip()
    own = (msg.get("Message-ID") or "").strip()
    header_end = raw.find(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.find(b"\n\n")
    for match in _MESSAGE_ID.finditer(raw[max(header_end, 0):]):
        candidate = match.group(1).decode("ascii", "replace")
        if candidate != own:
            return candidate
    return None


def bounce_key(msg: Message, raw: bytes) -> str:
    own = (msg.get("Message-ID") or "").strip()
    return own[:255] if own else "sha256:" + hashlib.sha256(raw).hexdigest()


def detect(raw: bytes) -> Bounce | None:
    """The bounce in `raw`, or None when it is not one."""
    msg = parse(raw)
    temporary, permanent = all_failures(msg)
    addresses = {a.decode("utf-8", "replace").strip().strip("<>").lower(): True for a in permanent}
    for a in temporary:
        addresses.setdefault(a.decode("utf-8", "replace").strip().strip("<>").lower(), False)
    addresses.pop("", None)
    if not addresses:
        return None
    dsn, text = _dsn_fields(msg), _text_of(msg)
    bounce = Bounce(key=bounce_key(msg, raw), original_message_id=original_message_id(msg, raw))
    for address, is_permanent in sorted(addresses.items()):
        status, diagnostic = dsn.get(address, ("", ""))
        found = diagnostic or status or _reason_in_text(text, address)
        kind = _kind(status, found, is_permanent)
        reason = found or (DEFAULT_HARD_REASON if kind == HARD else DEFAULT_SOFT_REASON)
        bounce.failures.append(Failure(address, kind, reason[:1000]))
    return bounce
