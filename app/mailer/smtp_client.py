"""smtplib, as the transport needs it: a client that tells a silent greeting from a host that does not
answer, logs in with one mechanism only, and words a connection that never became a session."""
from __future__ import annotations

import smtplib
import socket


class Client(smtplib.SMTP):
    """smtplib.SMTP that remembers whether the TCP connection opened (so a silent greeting can be told
    apart from a host that does not answer) and logs in with one mechanism only."""

    tcp_open = False
    preferred_auths = ("CRAM-MD5", "PLAIN", "LOGIN")  # smtplib's own order

    def _get_socket(self, host, port, timeout):
        sock = super()._get_socket(host, port, timeout)
        self.tcp_open = True
        return sock

    def login_once(self, user: str, password: str) -> None:
        """AUTH with the first mechanism both sides know, and only that one.

        smtplib's `login` tries every mechanism in turn, so one wrong password counts twice
        (PLAIN, then LOGIN) toward the server's lock-out.
        """
        self.ehlo_or_helo_if_needed()
        if not self.has_extn("auth"):
            raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
        offered = self.esmtp_features["auth"].upper().split()
        for mechanism in self.preferred_auths:
            if mechanism in offered:
                self.user, self.password = user, password
                method = getattr(self, "auth_" + mechanism.lower().replace("-", "_"))
                self.auth(mechanism, method, initial_response_ok=True)  # raises SMTPAuthenticationError
                return
        raise smtplib.SMTPException("No suitable authentication method found.")


class SSLClient(Client, smtplib.SMTP_SSL):
    """Implicit TLS: the handshake happens in `_get_socket`, before the greeting."""


def connect_fault_text(exc: BaseException, host: str, port: int, timeout: float, tcp_open: bool) -> str:
    """A connection that never became an SMTP session, in Portuguese first with the system's error in brackets."""
    where = f"{host}:{port}"
    raw = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(exc.__context__, TimeoutError):
        exc = exc.__context__  # smtplib reports a read that timed out as a disconnection
    if isinstance(exc, ConnectionRefusedError):
        return f"conexão recusada por {where} [{raw}]"
    if isinstance(exc, socket.gaierror):
        return f"o servidor {host} não foi encontrado (DNS) [{raw}]"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        if tcp_open:
            return (f"o servidor não enviou a saudação SMTP: confira a porta e a segurança (465 costuma ser SSL) "
                    f"[{where}, nada em {timeout:g} s]")
        return f"{where} não respondeu em {timeout:g} s [{raw}]"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"o servidor {where} encerrou a conexão antes da saudação SMTP [{raw}]"
    return f"falha de conexão com {where} [{raw}]"
