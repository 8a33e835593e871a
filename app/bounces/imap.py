"""Reading the bounce mailbox over IMAP (imaplib): new messages in, processed ones out to Preventivo/processados.

A message that is not a bounce stays where it was; it gets the keyword `PreventivoLido` (when the server keeps
keywords) so the next read does not fetch it again. Messages are read with BODY.PEEK: nothing is marked seen.
"""
from __future__ import annotations

import imaplib
import re
import ssl
from dataclasses import dataclass

from app.models.bounces import PROCESSED_FOLDER

SEEN_KEYWORD = "PreventivoLido"
_LIST_DELIMITER = re.compile(rb'\([^)]*\) "(?P<delim>[^"]*)"')


class MailboxError(Exception):
    """The mailbox cannot be reached or read (connection, TLS, login, folder); str() is Portuguese."""


@dataclass
class Settings:
    host: str
    port: int
    security: str  # ssl | starttls | none
    username: str
    password: str
    folder: str
    timeout: float
    ca_file: str | None = None


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


class MailboxReader:
    """One IMAP session: `with MailboxReader(settings) as box: for uid, raw in box.new_messages(): ...`."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.imap: imaplib.IMAP4 | None = None
        self.processed = PROCESSED_FOLDER

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()  # certificates and host names always verified
        if self.settings.ca_file:
            context.load_verify_locations(cafile=self.settings.ca_file)
        return context

    def __enter__(self) -> "MailboxReader":
        s = self.settings
        try:
            if s.security == "ssl":
                self.imap = imaplib.IMAP4_SSL(s.host, s.port, ssl_context=self._context(), timeout=s.timeout)
            else:
                self.imap = imaplib.IMAP4(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    self.imap.starttls(ssl_context=self._context())
            self.imap.login(s.username, s.password)
            self._check(self.imap.select(_quote(s.folder)), f"pasta {s.folder} não encontrada")
            self.processed = self._processed_folder()
        except MailboxError:
            self.close()
            raise
        except (OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
            self.close()
            raise MailboxError(self._describe(exc)) from exc
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.imap is None:
            return
        try:
            self.imap.logout()
        except Exception:  # already gone; nothing to give back
            pass
        self.imap = None

    def _describe(self, exc: BaseException) -> str:
        s = self.settings
        if isinstance(exc, ssl.SSLError):
            what = "falha no TLS (confira a porta e a segurança: 993 costuma ser SSL/TLS)"
        elif isinstance(exc, OSError):
            what = "sem conexão"
        elif any(word in str(exc).lower() for word in ("auth", "login", "credential")):
            what = "usuário ou senha recusados"
        else:
            what = "erro do servidor IMAP"
        return f"Caixa de devoluções {s.host}:{s.port}: {what} [{type(exc).__name__}: {exc}]"[:500]

    @staticmethod
    def _check(answer, message: str):
        status, data = answer
        if status != "OK":
            raise MailboxError(f"{message} [{data!r}]"[:500])
        return data

    def _processed_folder(self) -> str:
        """Preventivo/processados with the server's own hierarchy delimiter, created when missing."""
        status, data = self.imap.list('""', '""')
        delimiter = "/"
        if status == "OK" and data and data[0]:
            match = _LIST_DELIMITER.match(data[0] if isinstance(data[0], bytes) else b"")
            if match and match.group("delim"):
                delimiter = match.group("delim").decode()
        name = PROCESSED_FOLDER.replace("/", delimiter)
        status, found = self.imap.list('""', _quote(name))
        if status != "OK" or not [f for f in found if f]:
            self.imap.create(_quote(name))  # a parallel run may have created it: the move says if it exists
        return name

    def new_messages(self):
        """(uid, raw bytes) of every message not yet looked at, oldest first."""
        criteria = ("UNKEYWORD", SEEN_KEYWORD)
        data = self._check(self.imap.uid("SEARCH", *criteria), "busca na caixa falhou")
        for uid in (data[0] or b"").split():
            status, parts = self.imap.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts or [] if isinstance(p, tuple)), None)
            if status == "OK" and raw is not None:
                yield uid.decode(), raw

    def move_to_processed(self, uid: str) -> None:
        if b"MOVE" in {c.encode() if isinstance(c, str) else c for c in self.imap.capabilities}:
            self._check(self.imap.uid("MOVE", uid, _quote(self.processed)), "não foi possível mover a mensagem")
            return
        self._check(self.imap.uid("COPY", uid, _quote(self.processed)), "não foi possível copiar a mensagem")
        self.imap.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
        self.imap.expunge()

    def leave(self, uid: str) -> None:
        """Not a bounce: it stays, marked so it is not fetched again (servers without keywords fetch it again)."""
        try:
            self.imap.uid("STORE", uid, "+FLAGS.SILENT", f"({SEEN_KEYWORD})")
        except imaplib.IMAP4.error:
            pass
