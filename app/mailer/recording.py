"""Recording an accepted message: the delivery is sent, the quota slot confirmed, the campaign counted.

One rule, three guarded UPDATEs defined once here:
- the delivery becomes `sent`, only while this batch's claim holds it (claim token, status `sending`);
- the service's month counts it (`sent + 1`, `reserved - 1`: the slot reserved before sending);
- the campaign's counters move (`emails_sent + 1`, `emails_pending - 1`), only if the delivery was marked.

`record_sent` runs them in the caller's transaction: in sequence on SQLite, composed
into one statement on PostgreSQL (data-modifying CTEs; one round trip instead of
three, and each round trip wakes a backend).

On PostgreSQL a batch records each acceptance on a second connection while it sends
the next message (`BackgroundRecorder`): a commit waits for PostgreSQL to flush its
log, about a millisecond, the largest single cost of a message after its PDF. Exactly
once holds as when recording in line: the batch waits for the previous record before
it sends the next message's body (the server cannot accept it before that) and before
any write of its own, so at most one accepted message is ever unrecorded, the one a
dying worker may send twice. The connection lives and dies in the recorder's thread.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy import bindparam, exists, select, update

from app.models import Campaign, Delivery, ServiceUsage
from app.models.campaigns import DELIVERY_SENDING, DELIVERY_SENT

_deliveries = Delivery.__table__
_usage = ServiceUsage.__table__
_campaigns = Campaign.__table__

MARK_SENT = (
    update(_deliveries)
    .where(_deliveries.c.id == bindparam("did"), _deliveries.c.claim_token == bindparam("tok"),
           _deliveries.c.status == DELIVERY_SENDING)
    .values(status=DELIVERY_SENT, sent_at=bindparam("at"), service_id=bindparam("sid"), claim_token=None,
            lease_until=None, last_error=None, note=bindparam("note"))
)
CONFIRM_SLOT = (
    update(_usage).where(_usage.c.service_id == bindparam("sid"), _usage.c.month == bindparam("mkey"))
    .values(sent=_usage.c.sent + 1, reserved=_usage.c.reserved - 1)
)
COUNT_SENT = (
    update(_campaigns).where(_campaigns.c.id == bindparam("cid"))
    .values(emails_sent=_campaigns.c.emails_sent + 1, emails_pending=_campaigns.c.emails_pending - 1)
)


def _composed():
    """The same three UPDATEs as one PostgreSQL statement (PostgreSQL runs every data-modifying CTE)."""
    marked = MARK_SENT.returning(_deliveries.c.id).cte("marked")
    confirmed = CONFIRM_SLOT.returning(_usage.c.id).cte("confirmed")
    return COUNT_SENT.where(exists(select(marked.c.id))).add_cte(marked).add_cte(confirmed)


RECORD_SENT_IN_ONE = _composed()


def record_sent(connection, params: dict) -> None:
    """Record one accepted message in the caller's transaction (the caller commits).

    `params`: did (delivery id), tok (claim token), at (sent at), sid (service id), mkey (quota month), cid (campaign),
    note (what happened beside the send, or None).
    """
    if connection.dialect.name == "postgresql":
        connection.execute(RECORD_SENT_IN_ONE, params)
        return
    marked = connection.execute(MARK_SENT, params)
    connection.execute(CONFIRM_SLOT, params)
    if marked.rowcount == 1:
        connection.execute(COUNT_SENT, params)


class Acceptances:
    """A batch's acceptances on their way to the database: at most one is ever unrecorded.

    `accepted()` notes the message the server just took; `flush()` records it (in line,
    or by waiting for the background recorder) and returns how many were recorded.
    """

    def __init__(self, session, token: str, campaign_id: int, clock, in_background: bool):
        self.session, self.token, self.campaign_id, self.clock = session, token, campaign_id, clock
        self.recorder = BackgroundRecorder(session.get_bind()) if in_background else None
        self._accepted: tuple[int, int, str, str | None] | None = None

    def accepted(self, delivery_id: int, service_id: int, month: str, note: str | None = None) -> None:
        """The server took this message: start recording it (in the background), or keep it for `flush`."""
        self._accepted = (delivery_id, service_id, month, note)
        if self.recorder is not None:
            self.recorder.submit(self._params())

    def flush(self) -> int:
        """Record the last accepted message (or wait for its background record); returns 1 if one was recorded."""
        if self.recorder is not None:
            return 1 if self.recorder.wait() else 0
        if self._accepted is None:
            return 0
        record_sent(self.session.connection(), self._params())
        self.session.commit()
        return 1

    def close(self) -> None:
        if self.recorder is not None:
            self.recorder.close()

    def _params(self) -> dict:
        (delivery_id, service_id, month, note), self._accepted = self._accepted, None
        return {"did": delivery_id, "tok": self.token, "at": self.clock(), "sid": service_id, "mkey": month,
                "cid": self.campaign_id, "note": note}


class BackgroundRecorder:
    """Runs `record_sent` and its commit in one thread on its own connection (psycopg releases the GIL)."""

    def __init__(self, engine):
        self._engine = engine
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
            record_sent(self._connection, params)
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
