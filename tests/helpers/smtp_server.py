"""A real SMTP server for the sending tests (aiosmtpd on a free port, in a thread).

- accounts: AUTH user -> password (wrong password: 535, as real servers answer);
- a monthly quota per account: past it, the server answers a quota reply at a chosen stage;
- scripted replies at any stage (connect, auth, mail, rcpt, data), per account and/or recipient,
  a number of times or for good;
- every accepted message is recorded (account, envelope, Message-ID, raw bytes).

Run as a script (`python -m tests.helpers.smtp_server PORT`) for benchmarks: a separate process.
"""
from __future__ import annotations

import asyncio
import email
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from email import policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Rule:
    stage: str
    reply: str
    user: str | None = None
    rcpt: str | None = None
    times: int | None = None  # None: for good
    chance: float | None = None  # answer only this fraction of the matching commands (seeded, reproducible)

    def matches(self, stage: str, user: str | None, rcpt: str | None) -> bool:
        if self.stage != stage or (self.times is not None and self.times <= 0):
            return False
        if self.user is not None and self.user != user:
            return False
        if self.rcpt is not None and (rcpt or "").lower() != self.rcpt.lower():
            return False
        return True


@dataclass
class Received:
    user: str | None
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message_id: str | None
    subject: str | None
    encrypted: bool = False  # the message came over TLS (STARTTLS or implicit)

    def parsed(self):
        return email.message_from_bytes(self.raw, policy=policy.default)


@dataclass
class State:
    accounts: dict[str, str] = field(default_factory=dict)
    quotas: dict[str, int] = field(default_factory=dict)
    quota_reply: str = "550 5.4.5 Daily user sending quota exceeded"
    quota_stage: str = "mail"
    rules: list[Rule] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    refusals: list[tuple[str, str | None, str]] = field(default_factory=list)
    keep_messages: bool = True
    keep_raw: bool = True  # False: record envelopes and headers only (thousands of messages in a test)
    on_data: object = None  # called (in the server's thread) with the recipients before each message is accepted
    pipelining: bool = True  # advertise PIPELINING (RFC 2920), as most providers do
    random: random.Random = field(default_factory=lambda: random.Random(7))
    accepted_total: int = 0
    auth_attempts: list[tuple[str, str]] = field(default_factory=list)  # (mechanism, user) of every AUTH
    data_delay: float = 0.0  # seconds the server takes to accept a message (a distant relay); sessions run in parallel
    open_sessions: int = 0
    max_open_sessions: int = 0  # the most sessions open at once
    accepted_at: list[float] = field(default_factory=list)  # time.monotonic() of every accepted message
    # (messages, seconds, reply): past `messages` MAILs accepted in the last `seconds`, MAIL gets `reply` (Postfix's
    # anvil: "450 4.7.1 Error: too much mail from …").
    mail_rate_limit: tuple[int, float, str] | None = None
    mails_at: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def scripted(self, stage: str, user: str | None, rcpt: str | None = None) -> str | None:
        with self.lock:
            for rule in self.rules:
                if rule.matches(stage, user, rcpt) and (rule.chance is None or self.random.random() < rule.chance):
                    if rule.times is not None:
                        rule.times -= 1
                    self.refusals.append((stage, user, rule.reply))
                    return rule.reply
            if stage == self.quota_stage and user in self.quotas:
                if self.count(user) >= self.quotas[user]:
                    self.refusals.append((stage, user, self.quota_reply))
                    return self.quota_reply
        return None

    def count(self, user: str | None) -> int:
        return sum(1 for r in self.received if r.user == user)


def _user(session) -> str | None:
    data = getattr(session, "auth_data", None)
    if isinstance(data, LoginPassword):
        return data.login.decode()
    return None


class _Handler:
    def __init__(self, state: State):
        self.state = state

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.state.pipelining:
            responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        reply = self.state.scripted("mail", _user(session)) or self._over_rate()
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    def _over_rate(self) -> str | None:
        limit = self.state.mail_rate_limit
        if limit is None:
            return None
        count, seconds, reply = limit
        now = time.monotonic()
        with self.state.lock:
            self.state.mails_at[:] = [t for t in self.state.mails_at if now - t < seconds]
            if len(self.state.mails_at) >= count:
                self.state.refusals.append(("mail", None, reply))
                return reply
            self.state.mails_at.append(now)
        return None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.state.scripted("rcpt", _user(session), address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        user = _user(session)
        reply = self.state.scripted("data", user, envelope.rcpt_tos[0] if envelope.rcpt_tos else None)
        if reply:
            return reply
        if self.state.data_delay:
            await asyncio.sleep(self.state.data_delay)
        if self.state.on_data is not None:
            self.state.on_data(list(envelope.rcpt_tos))
        with self.state.lock:
            self.state.accepted_at.append(time.monotonic())
        if not self.state.keep_messages:
            self.state.accepted_total += 1
            return "250 2.0.0 Message accepted"
        raw = envelope.original_content or envelope.content
        headers = email.message_from_bytes(raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n", policy=policy.default)
        with self.state.lock:
            self.state.received.append(Received(user, envelope.mail_from, list(envelope.rcpt_tos),
                                                raw if self.state.keep_raw else b"",
                                                headers.get("Message-ID"), headers.get("Subject"),
                                                server.transport.get_extra_info("ssl_object") is not None))
        return "250 2.0.0 Message accepted"


class _Authenticator:
    def __init__(self, state: State):
        self.state = state

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode()
        with self.state.lock:
            self.state.auth_attempts.append((mechanism, user))
        reply = self.state.scripted("auth", user)
        if reply:
            # handled=False: aiosmtpd answers `message` itself (handled=True would drop the client).
            return AuthResult(success=False, handled=False, message=reply)
        if self.state.accounts.get(user) != auth_data.password.decode():
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=auth_data)


class _SMTP(SMTP):
    async def _handle_client(self):
        reply = self._state.scripted("connect", None)
        if reply:
            await self.push(reply)
            self.transport.close()
            return
        with self._state.lock:
            self._state.open_sessions += 1
            self._state.max_open_sessions = max(self._state.max_open_sessions, self._state.open_sessions)
        try:
            return await super()._handle_client()
        finally:
            with self._state.lock:
                self._state.open_sessions -= 1


class _Controller(Controller):
    def __init__(self, state: State, auth_require_tls: bool = False, **kwargs):
        self._state = state
        self._auth_require_tls = auth_require_tls
        super().__init__(_Handler(state), **kwargs)

    def factory(self):
        smtp = _SMTP(self.handler, authenticator=_Authenticator(self._state), auth_require_tls=self._auth_require_tls,
                     auth_required=False, hostname="smtp.test", **self.SMTP_kwargs)
        smtp._state = self._state
        return smtp


class SmtpTestServer:
    """`with SmtpTestServer() as server: server.add_account(...); server.port ...`

    `tls="starttls"` offers STARTTLS and refuses MAIL and AUTH before it; `tls="ssl"` speaks TLS from
    the first byte (port 465 style). Both need `certificates` (tests/helpers/tls.py).
    """

    def __init__(self, port: int | None = None, tls: str | None = None, certificates=None):
        self.state = State()
        self.host = "127.0.0.1"
        self.port = port or free_port()
        options: dict = {}
        if tls == "starttls":
            options = {"tls_context": certificates.server_context(), "require_starttls": True,
                       "auth_require_tls": True}
        elif tls == "ssl":
            options = {"ssl_context": certificates.server_context()}
        elif tls is not None:
            raise ValueError(f"tls must be None, 'starttls' or 'ssl', not {tls!r}")
        self._controller = _Controller(self.state, hostname=self.host, port=self.port, data_size_limit=50_000_000,
                                       **options)

    def start(self) -> "SmtpTestServer":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- configuration ---
    def add_account(self, user: str, password: str, quota: int | None = None) -> None:
        with self.state.lock:
            self.state.accounts[user] = password
            if quota is not None:
                self.state.quotas[user] = quota

    def set_quota(self, user: str, quota: int | None, reply: str | None = None, stage: str | None = None) -> None:
        with self.state.lock:
            if quota is None:
                self.state.quotas.pop(user, None)
            else:
                self.state.quotas[user] = quota
            if reply:
                self.state.quota_reply = reply
            if stage:
                self.state.quota_stage = stage

    def reply(self, stage: str, reply: str, *, user: str | None = None, rcpt: str | None = None,
              times: int | None = None, chance: float | None = None) -> Rule:
        rule = Rule(stage, reply, user, rcpt, times, chance)
        with self.state.lock:
            self.state.rules.append(rule)
        return rule

    def clear_replies(self) -> None:
        with self.state.lock:
            self.state.rules.clear()

    # --- observations ---
    @property
    def received(self) -> list[Received]:
        with self.state.lock:
            return list(self.state.received)

    def count(self, user: str | None = None) -> int:
        with self.state.lock:
            return len(self.state.received) if user is None else self.state.count(user)

    def message_ids(self) -> list[str | None]:
        """The Message-ID of every accepted message, duplicates included."""
        return [m.message_id for m in self.received]

    @property
    def auth_attempts(self) -> list[tuple[str, str]]:
        with self.state.lock:
            return list(self.state.auth_attempts)

    def recipients(self) -> list[str]:
        return [r for m in self.received for r in m.rcpt_tos]


if __name__ == "__main__":  # a plain accept-all server in its own process (benchmarks): PORT [SECONDS PER MESSAGE]
    import sys

    server = SmtpTestServer(int(sys.argv[1]) if len(sys.argv) > 1 else None)
    server.state.keep_messages = False
    server.state.data_delay = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    server.add_account("bench", "bench")
    server.start()
    print(server.port, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
