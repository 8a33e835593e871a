"""PIPELINING (RFC 2920): MAIL, RCPT and DATA in one write when the server offers it, with every
refusal still reported at its own stage, and the connection still usable after it."""
import socket
import threading

import pytest

from app.mailer.classify import MAIL, QUOTA, RECIPIENT, SmtpFault, classify_fault
from app.mailer.transport import SmtpTransport
from tests.helpers.smtp_server import free_port

MESSAGE = b"From: a@exemplo.com.br\r\nTo: b@exemplo.com.br\r\nSubject: teste\r\n\r\nCorpo.\r\n"


def _transport(server, pipelining=True) -> SmtpTransport:
    server.add_account("servico_2", "senha-2")
    return SmtpTransport(server.host, server.port, "none", "servico_2", "senha-2", timeout=5,
                         allow_pipelining=pipelining)


@pytest.mark.parametrize("offered,allowed,expected", [(True, True, True), (False, True, False), (True, False, False)])
def test_pipelining_is_used_only_when_offered_and_allowed(smtp_server, offered, allowed, expected):
    smtp_server.state.pipelining = offered
    with _transport(smtp_server, allowed) as transport:
        transport.send("a@exemplo.com.br", "b@exemplo.com.br", MESSAGE)
        assert transport.pipelining is expected
    assert smtp_server.recipients() == ["b@exemplo.com.br"]


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelined", "one-by-one"])
@pytest.mark.parametrize("stage,reply,kind", [
    ("mail", "452 4.5.3 Daily message limit exceeded", QUOTA),
    ("rcpt", "550 5.1.1 Mailbox unavailable", RECIPIENT),
    ("data", "554 5.7.1 Message rejected", RECIPIENT),
])
def test_a_refusal_is_reported_at_its_stage_and_the_connection_goes_on(smtp_server, pipelining, stage, reply, kind):
    smtp_server.reply(stage, reply, times=1)
    with _transport(smtp_server, pipelining) as transport:
        with pytest.raises(SmtpFault) as raised:
            transport.send("a@exemplo.com.br", "b@exemplo.com.br", MESSAGE)
        transport.send("a@exemplo.com.br", "c@exemplo.com.br", MESSAGE)  # same connection, after RSET

    assert (raised.value.stage, raised.value.code, classify_fault(raised.value)) == (stage, int(reply[:3]), kind)
    assert smtp_server.recipients() == ["c@exemplo.com.br"]


class _QuotaThenHangUp:
    """A server that offers PIPELINING, answers the pipelined MAIL with a 421 quota reply and hangs up
    before answering RCPT and DATA (as some providers do at their limit)."""

    def __init__(self):
        self.port = free_port()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        conn, _ = self._listener.accept()
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"220 fake ESMTP\r\n")
            lines.readline()  # EHLO
            conn.sendall(b"250-fake\r\n250 PIPELINING\r\n")
            while not lines.readline().upper().startswith(b"DATA"):
                pass
            conn.sendall(b"421 4.7.0 Daily sending quota exceeded, closing connection\r\n")

    def close(self):
        self._listener.close()


def test_a_421_at_mail_is_reported_at_mail_even_when_the_server_hangs_up_before_the_other_replies():
    server = _QuotaThenHangUp()
    try:
        transport = SmtpTransport("127.0.0.1", server.port, "none", timeout=5)
        with pytest.raises(SmtpFault) as raised:
            transport.send("a@exemplo.com.br", "b@exemplo.com.br", MESSAGE)
    finally:
        server.close()

    assert (raised.value.stage, raised.value.code, classify_fault(raised.value)) == (MAIL, 421, QUOTA)
    assert not transport.connected


def test_a_failing_hook_drops_the_session_instead_of_leaving_it_in_data(smtp_server):
    def database_down():
        raise RuntimeError("banco de dados fora do ar")

    with _transport(smtp_server) as transport:
        with pytest.raises(RuntimeError):
            transport.send("a@exemplo.com.br", "b@exemplo.com.br", MESSAGE, before_body=database_down)
        assert not transport.connected
        transport.send("a@exemplo.com.br", "c@exemplo.com.br", MESSAGE)  # a fresh connection

    assert smtp_server.recipients() == ["c@exemplo.com.br"]
