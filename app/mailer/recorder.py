"""Recording an accepted message on a second connection while the next one is on its way (PostgreSQL).

Each accepted message is recorded in its own commit (delivery sent, quota confirmed,
counters), and a commit waits for PostgreSQL to flush its log: about a millisecond,
the largest single cost of a message after its PDF. The recorder runs that statement
and commit in one thread on its own connection while the batch's thread talks SMTP
and builds the next message (psycopg releases the GIL while it waits).

Exactly once holds as when recording in line: the batch waits for the previous record
before it sends the next message's body (the server cannot accept it before that), and
before any write of its own, so at most one accepted message is ever unrecorded, the
one a dying worker may send twice. The commit overlaps the MAIL, RCPT and DATA round
trips. The connection lives and dies in the recorder's thread.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor


class BackgroundRecorder:
    def __init__(self, engine, statement):
        self._engine = engine
        self._statement = statement
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="send-recorder")
        self._connection = None
        self._pending: Future | None = None

    def submit(self, params: dict) -> None:
        """Start recording one acceptance (after the previous one is on disk)."""
        self.wait()
        self._pending = self._thread.submit(self._record, params)

    def wait(self) -> bool:
        """Block until the submitted record is committed; re-raises its error. True if one was pending."""
        pending, self._pending = self._pending, None
        if pending is None:
            return False
        pending.result()
        return True

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._thread.submit(self._close_connection).result()
            self._thread.shutdown()

    # --- in the recorder's thread ---
    def _record(self, params: dict) -> None:
        if self._connection is None:
            self._connection = self._engine.connect()
        try:
            self._connection.execute(self._statement, params)
            self._connection.commit()
        except BaseException:
            self._close_connection()  # a fresh one next time, not a half-failed transaction
            raise

    def _close_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:
                pass
