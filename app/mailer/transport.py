"""SMTP transport per EmailService: one connection reused for a batch of messages.

smtplib's `sendmail` hides which stage refused; the conversation is driven
step by step (MAIL, RCPT, DATA) so every refusal carries its stage and reply
for the classifier. When the server offers PIPELINING the three go in one write
and their replies are read in order (smtplib has no pipelining of its own). Every refusal is logged with code and text (Locaweb
documents no quota text; production logs tune QUOTA_REPLY_PATTERN).
"""
from __future__ import annotations

import logging
import re
import smtplib
import socket
import ssl

from flask import current_app

from .classify import AUTH, CONNECT, DATA, MAIL, RCPT, STAGE_LABELS, SmtpFault
from .smtp_client import Client, SSLClient, connect_fault_text

log = logging.getLogger(__name__)
_DOT_AT_LINE_START = re.compile(rb"(?m)^\.")  # SMTP dot-stuffing, as smtplib.data does


def _text(resp) -> str:
    if isinstance(resp, bytes):
        return resp.decode("utf-8", "replace")
    return str(resp or "")


class SmtpTransport:
    """`open()`, then `send(...)` many times, then `close()`. Raises SmtpFault on any refusal."""

    def __init__(self, host: str, port: int, security: str = "starttls", username: str = "",
                 password: str | None = None, timeout: float = 30.0, service_name: str = "",
                 ca_file: str | None = None, allow_pipelining: bool = True, connect_timeout: float | None = None):
        self.host, self.port, self.security = host, port, security
        self.username, self.password, self.timeout = username, password, timeout
        self.connect_timeout = min(timeout, connect_timeout) if connect_timeout else timeout
        self.service_name = service_name or host
        self.ca_file = ca_file
        self.allow_pipelining = allow_pipelining
        self.pipelining = False  # the server advertised PIPELINING (RFC 2920) and we may use it
        self.smtp: smtplib.SMTP | None = None

    @classmethod
    def for_service(cls, service, timeout: float | None = None) -> "SmtpTransport":
        if timeout is None:
            timeout = current_app.config["SMTP_TIMEOUT"]
        return cls(service.host, service.port, service.security, service.username or "", service.password,
                   timeout, service.name, current_app.config["SMTP_CA_FILE"],
                   current_app.config["SMTP_PIPELINING"], current_app.config["SMTP_CONNECT_TIMEOUT"])

    def _tls_context(self) -> ssl.SSLContext:
        """Certificates and host names are always verified: the password and the debtors' data
        travel inside. SMTP_CA_FILE adds a private CA to the system's, it never replaces them."""
        context = ssl.create_default_context()
        if self.ca_file:
            context.load_verify_locations(cafile=self.ca_file)
        return context

    # --- connection -----------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self.smtp is not None

    def open(self) -> None:
        if self.smtp is not None:
            return
        smtp = self._connect()
        if self.username:
            self._login(smtp)
        self.pipelining = self.allow_pipelining and smtp.has_extn("pipelining")
        self.smtp = smtp

    def _connect(self) -> Client:
        """TCP (and TLS for `ssl`) and the greeting within SMTP_CONNECT_TIMEOUT, then EHLO and STARTTLS."""
        if self.security == "ssl":
            smtp = SSLClient(timeout=self.connect_timeout, context=self._tls_context())
        else:
            smtp = Client(timeout=self.connect_timeout)
        smtp._host = self.host  # what TLS checks the certificate against (smtplib sets it only in its constructor)
        try:
            code, greeting = smtp.connect(self.host, self.port)
            if code != 220:  # smtplib checks this only when it connects in its constructor
                raise smtplib.SMTPConnectError(code, greeting)
            smtp.sock.settimeout(self.timeout)
            smtp.timeout = self.timeout
            smtp.ehlo()
            if self.security == "starttls":
                smtp.starttls(context=self._tls_context())
                smtp.ehlo()
            return smtp
        except smtplib.SMTPResponseException as exc:  # SMTPConnectError included: a refusing greeting
            self._drop(smtp)
            raise self._fault(CONNECT, exc.smtp_code, _text(exc.smtp_error)) from exc
        except smtplib.SMTPNotSupportedError as exc:
            self._drop(smtp)
            raise self._fault(CONNECT, None, f"o servidor não oferece STARTTLS: confira a segurança do serviço "
                                             f"[{exc}]") from exc
        except ssl.SSLCertVerificationError as exc:
            self._drop(smtp)
            raise self._fault(CONNECT, None, f"certificado TLS não confiável ({exc.verify_message}): confira o host "
                                             f"ou a CA em SMTP_CA_FILE [{type(exc).__name__}: {exc}]") from exc
        except ssl.SSLError as exc:
            self._drop(smtp)
            raise self._fault(CONNECT, None, f"falha ao negociar TLS: confira a porta e a segurança (STARTTLS, "
                                             f"SSL/TLS) [{type(exc).__name__}: {exc}]") from exc
        except (smtplib.SMTPException, OSError) as exc:  # refused, no DNS, timed out, no greeting, dropped
            self._drop(smtp)
            text = connect_fault_text(exc, self.host, self.port, self.connect_timeout, smtp.tcp_open)
            raise self._fault(CONNECT, None, text) from exc

    def _login(self, smtp: Client) -> None:
        try:
            smtp.login_once(self.username, self.password or "")
        except smtplib.SMTPResponseException as exc:  # SMTPAuthenticationError included
            self._drop(smtp)
            raise self._fault(AUTH, exc.smtp_code, _text(exc.smtp_error)) from exc
        except smtplib.SMTPNotSupportedError as exc:
            self._drop(smtp)
            raise self._fault(AUTH, 530, f"AUTH não suportado pelo servidor: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            self._drop(smtp)
            raise self._fault(AUTH, None, f"a conexão com {self.host}:{self.port} caiu durante a autenticação "
                                          f"[{type(exc).__name__}: {exc}]") from exc

    def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            self._drop(smtp)

    @staticmethod
    def _drop(smtp) -> None:
        if smtp is None:
            return
        try:
            smtp.close()
        except Exception:
            pass

    def probe(self) -> None:
        """Connect and EHLO only (is the server there?); raises SmtpFault otherwise."""
        smtp = self._connect()
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            self._drop(smtp)

    def noop(self) -> tuple[int, str]:
        self.open()
        code, resp = self.smtp.noop()
        return code, _text(resp)

    # --- one message ----------------------------------------------------------------
    def send(self, sender: str, recipient: str, data: bytes, *, while_mail=None, before_body=None,
             while_data=None) -> str:
        """Send one message; returns the server's acceptance text, raises SmtpFault otherwise.

        `while_mail` / `while_data` run while the server works on MAIL FROM / the message body
        (between writing the command and reading its reply): the batch records the previous
        acceptance and builds the next message there instead of waiting idle. `before_body` runs
        once the server said 354, before the body that it may accept goes out.
        """
        self.open()
        smtp = self.smtp
        stage = MAIL
        try:
            if self.pipelining:
                stage = self._envelope_pipelined(sender, recipient, while_mail)
            else:
                smtp.putcmd("mail", f"FROM:{smtplib.quoteaddr(sender)}")
                if while_mail is not None:
                    while_mail()
                self._expect(MAIL, smtp.getreply(), (250,))
                stage = RCPT
                self._expect(RCPT, smtp.rcpt(recipient), (250, 251))
                stage = DATA
                smtp.putcmd("data")
                self._expect(DATA, smtp.getreply(), (354,))
            body = _DOT_AT_LINE_START.sub(b"..", data)
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            if before_body is not None:
                before_body()
            smtp.send(body + b".\r\n")
            if while_data is not None:
                while_data()
            code, resp = smtp.getreply()
            self._expect(DATA, (code, resp), (250,))
            return _text(resp)
        except SmtpFault:
            raise
        except smtplib.SMTPResponseException as exc:  # 421 and friends close the connection
            self._forget()
            raise self._fault(stage, exc.smtp_code, _text(exc.smtp_error)) from exc
        except (smtplib.SMTPException, OSError, socket.timeout) as exc:
            # Lost after DATA: unknown whether the server took it (the one allowed duplicate).
            self._forget()
            raise self._fault(stage, None, self._lost(stage, exc)) from exc
        except Exception:
            # A hook failed (the database, say) mid-conversation: drop the session rather than QUIT
            # into an open DATA, which would wait for the server's timeout.
            self._forget()
            raise

    def _envelope_pipelined(self, sender: str, recipient: str, while_mail) -> str:
        """MAIL, RCPT and DATA in one write, then their three replies in order (RFC 2920): two round
        trips fewer per message, which on a provider tens of milliseconds away is most of the time.

        A refusal is reported at its own stage, as without pipelining, even when the server then
        drops the connection before the later replies (a 421 quota reply at MAIL, for one).
        Returns DATA, the stage the body belongs to.
        """
        smtp = self.smtp
        smtp.send(f"MAIL FROM:{smtplib.quoteaddr(sender)}\r\nRCPT TO:{smtplib.quoteaddr(recipient)}\r\nDATA\r\n")
        if while_mail is not None:
            while_mail()
        refused = None
        data_open = False
        for stage, accepted in ((MAIL, (250,)), (RCPT, (250, 251)), (DATA, (354,))):
            try:
                code, resp = smtp.getreply()
            except (smtplib.SMTPException, OSError) as exc:
                self._forget()
                if refused is not None:
                    raise self._fault(*refused) from exc
                raise self._fault(stage, None, self._lost(stage, exc)) from exc
            if code not in accepted and refused is None:
                refused = (stage, code, _text(resp))
            data_open = stage == DATA and code == 354
        if refused is None:
            return DATA
        if data_open:
            # A server that opened DATA although the envelope was refused: end it empty (it holds no
            # recipient, so nothing is delivered) before the RSET.
            try:
                smtp.send(b".\r\n")
                smtp.getreply()
            except (smtplib.SMTPException, OSError):
                self._forget()
                raise self._fault(*refused) from None
        self._reset()
        raise self._fault(*refused)

    def _expect(self, stage: str, reply: tuple, accepted: tuple[int, ...]) -> None:
        """Raise the stage's fault (after RSET) unless the reply's code is one that lets us go on."""
        code, resp = reply
        if code not in accepted:
            self._reset()
            raise self._fault(stage, code, _text(resp))

    def _reset(self) -> None:
        try:
            self.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._forget()

    def _forget(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is not None:
            self._drop(smtp)

    def _lost(self, stage: str, exc: BaseException) -> str:
        where = STAGE_LABELS.get(stage, stage)
        if isinstance(exc, (socket.timeout, TimeoutError)):
            return f"o servidor não respondeu em {self.timeout:g} s durante {where} [{type(exc).__name__}: {exc}]"
        return f"a conexão caiu durante {where} [{type(exc).__name__}: {exc}]"

    def _fault(self, stage: str, code: int | None, text: str) -> SmtpFault:
        fault = SmtpFault(stage, code, text.strip()[:500])
        log.warning("smtp refusal service=%s stage=%s code=%s text=%r", self.service_name, stage, code, fault.text)
        return fault

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()
        return False
