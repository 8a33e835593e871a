"""Batches of clients -> campaign_clients, with SQLAlchemy Core (COPY on PostgreSQL).

Each batch is merged with the rows already stored for its CPFs (an indexed
SELECT, only for CPFs a fixed-size bit set says may be stored already), so the
same CPF spread over the file still ends as one client whose `line` is its
first line, and memory does not grow with the file. New clients get consecutive indexes and
`chunk_seq = index // CHUNK_SIZE`: collection works in chunks of 200 clients.
"""
from __future__ import annotations

from contextlib import ExitStack
from hashlib import blake2b

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from app.models import CampaignClient
from app.models.campaigns import OUTCOME_PENDING
from app.security.masking import mask_cpf

from .parser import WARNING, Draft, Issue

MAX_EMAILS = 10
# A fixed 1 MiB bit set of CPFs already stored: a batch only asks the database about
# CPFs whose bit is set (true repeats plus ~1-2% false positives), so memory stays flat
# and the usual file (each CPF once, or repeated on adjacent lines) costs no lookups.
_SEEN_BITS = 1 << 23
CHUNK_SIZE = 200
_TABLE = CampaignClient.__table__
_COPY_COLUMNS = ("campaign_id", "cpf", "emails", "name", "line", "chunk_seq", "outcome")
_HASH_MOD = 2 ** 128
_QMARK_INSERT = (f"INSERT INTO {_TABLE.name} ({', '.join(_COPY_COLUMNS)}) "
                 f"VALUES ({', '.join('?' for _ in _COPY_COLUMNS)})")


class ClientWriter:
    def __init__(self, connection: Connection, campaign_id: int, cpf_column: str = "CPF"):
        self.connection = connection
        self.cpf_column = cpf_column  # the >10 e-mails warning is about a client: its value is the (masked) CPF
        self.campaign_id = campaign_id
        self.clients = 0
        self.emails = 0
        self.warnings: list[Issue] = []
        self._capped: set[str] = set()  # CPFs already warned about (rare)
        self._seen = bytearray(_SEEN_BITS // 8)
        self._copy = connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg"
        self._open_copy = None  # one COPY stays open across batches (see _insert)
        self._stack = ExitStack()
        self._digest = 0  # sum of the clients' line hashes: the same clients in any order give the same hash

    @property
    def content_hash(self) -> str:
        """Hash of the normalised client lines (CPF and sorted emails), whatever their order in the file."""
        return format(self._digest, "032x")

    def _count(self, cpf: str, emails: list[str], sign: int = 1) -> None:
        line = f"{cpf}:{','.join(sorted(emails))}".encode()
        self._digest = (self._digest + sign * int.from_bytes(blake2b(line, digest_size=16).digest(), "big")) % _HASH_MOD

    # The writer is a context manager so that an open COPY is finished on success and
    # aborted (CopyFail) when the import fails.
    def __enter__(self) -> "ClientWriter":
        return self

    def __exit__(self, *exc_info) -> bool:
        self._open_copy = None
        return self._stack.__exit__(*exc_info)

    def _end_copy(self) -> None:
        if self._open_copy is not None:
            self._open_copy = None
            self._stack.close()
            self._stack = ExitStack()

    def write(self, batch: dict[str, Draft]) -> None:
        seen = self._seen
        maybe_stored = [cpf for cpf in batch if seen[(h := int(cpf) % _SEEN_BITS) >> 3] & (1 << (h & 7))]
        if maybe_stored:
            self._end_copy()  # no other statement can run while a COPY is open
            existing = self._existing(maybe_stored)
        else:
            existing = {}
        updates = []
        rows = []
        for cpf, draft in batch.items():
            stored = existing.get(cpf)
            if stored is None:
                kept = self._cap(cpf, draft.line, draft.emails)
                self.emails += len(kept)
                self._count(cpf, kept)
                rows.append((self.campaign_id, cpf, "\n".join(kept), draft.name, draft.line,
                             self.clients // CHUNK_SIZE, OUTCOME_PENDING))
                h = int(cpf) % _SEEN_BITS
                seen[h >> 3] |= 1 << (h & 7)
                self.clients += 1
            else:
                client_id, line, current = stored
                merged = current + [a for a in draft.emails if a not in current]
                kept = self._cap(cpf, line, merged)
                if len(kept) != len(current):
                    self._count(cpf, current, -1)
                    self._count(cpf, kept)
                    self.emails += len(kept) - len(current)
                    updates.append({"_id": client_id, "_emails": "\n".join(kept)})
        if rows:
            self._insert(rows)
        if updates:
            self._end_copy()
            self.connection.execute(
                update(_TABLE).where(_TABLE.c.id == bindparam("_id")).values(emails=bindparam("_emails")),
                updates,
            )

    def _cap(self, cpf: str, line: int, addresses: list[str]) -> list[str]:
        if len(addresses) <= MAX_EMAILS:
            return addresses
        if cpf not in self._capped:
            self._capped.add(cpf)
            self.warnings.append(Issue(WARNING, line, self.cpf_column, mask_cpf(cpf),
                                       f"Cliente com mais de {MAX_EMAILS} e-mails: mantidos os {MAX_EMAILS} primeiros"))
        return addresses[:MAX_EMAILS]

    def _existing(self, cpfs: list[str]) -> dict[str, tuple[int, int, list[str]]]:
        found = {}
        for start in range(0, len(cpfs), 5000):
            result = self.connection.execute(
                select(_TABLE.c.id, _TABLE.c.cpf, _TABLE.c.line, _TABLE.c.emails).where(
                    _TABLE.c.campaign_id == self.campaign_id, _TABLE.c.cpf.in_(cpfs[start:start + 5000]))
            )
            for client_id, cpf, line, emails in result:
                found[cpf] = (client_id, line, [e for e in emails.split("\n") if e])
        return found

    def _insert(self, rows: list[tuple]) -> None:
        if self._copy:
            # PostgreSQL fast path: COPY on the session's own connection (same transaction).
            # It stays open across batches, so the server stores rows while we parse the next ones.
            if self._open_copy is None:
                raw = self.connection.connection.driver_connection
                cursor = self._stack.enter_context(raw.cursor())
                self._open_copy = self._stack.enter_context(
                    cursor.copy(f"COPY {_TABLE.name} ({', '.join(_COPY_COLUMNS)}) FROM STDIN"))
            for row in rows:
                self._open_copy.write_row(row)
            return
        if self.connection.dialect.paramstyle == "qmark":
            # SQLite: the driver's executemany with one precompiled statement; a Core insert
            # spends more time building parameter dicts than SQLite spends storing rows.
            self.connection.exec_driver_sql(_QMARK_INSERT, rows)
            return
        self.connection.execute(_TABLE.insert(), [dict(zip(_COPY_COLUMNS, row)) for row in rows])
