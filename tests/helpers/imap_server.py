"""A real IMAP server for the bounce tests: Debian's Dovecot on a free port, a throwaway configuration,
a Maildir and a passwd-file user (plain auth over 127.0.0.1; implicit TLS with a throwaway CA when asked).

Messages are put in with IMAP APPEND, and read back with imaplib, so the tests see what the product sees.
"""
from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

from .smtp_server import free_port
from .tls import make_certificates

DOVECOT = "/usr/sbin/dovecot"
INSTALL_HINT = "apt-get install dovecot-imapd (.ci/run does it)"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
instance_name = preventivo-test-{port}
default_internal_user = {user}
default_login_user = {user}
first_valid_uid = {uid}
last_valid_uid = 0
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
{ssl}
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


def available() -> bool:
    return os.path.exists(DOVECOT)


class ImapServer:
    """Dovecot in the foreground (`dovecot -F`), one user; `stop()` ends it."""

    def __init__(self, root: Path, user: str = "bounces@preventivo.test", password: str = "Imap-Senha-2026!",
                 tls: bool = False):
        self.root, self.user, self.password, self.tls = Path(root), user, password, tls
        self.host = "127.0.0.1"
        self.port = free_port()
        self.tls_port = free_port() if tls else 0
        self.certificates = make_certificates(self.root / "pki") if tls else None
        self.process: subprocess.Popen | None = None

    def _account(self) -> tuple[str, int, int]:
        """The system user the mail processes run as: ourselves, or `nobody` when the tests run as root."""
        if os.geteuid() != 0:
            me = pwd.getpwuid(os.geteuid())
            return me.pw_name, me.pw_uid, me.pw_gid
        nobody = pwd.getpwnam("nobody")
        return "nobody", nobody.pw_uid, nobody.pw_gid

    def start(self) -> "ImapServer":
        name, uid, gid = self._account()
        for sub in ("run", "state", "mail", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        for sub in ("mail", "home"):
            shutil.chown(self.root / sub, uid, gid)
        if os.geteuid() == 0:
            os.chmod(self.root, 0o755)
        (self.root / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        ssl = "ssl = no"
        if self.certificates:
            if os.geteuid() == 0:
                os.chmod(self.root / "pki", 0o755)
            ssl = (f"ssl = yes\nssl_cert = <{self.certificates.cert_file}\nssl_key = <{self.certificates.key_file}")
        config = self.root / "dovecot.conf"
        config.write_text(CONFIG.format(root=self.root, port=self.port, tls_port=self.tls_port, user=name, uid=uid,
                                        gid=gid, ssl=ssl))
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
        self._wait(self.port)
        return self

    def _wait(self, port: int) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.process.stdout.read().decode(errors='replace')}"
                                   f"{self.log()}")
            try:
                with socket.create_connection((self.host, port), timeout=0.5) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not answer on {port}: {self.log()}")

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    # --- what the tests do through IMAP ---
    def connect(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4(self.host, self.port, timeout=10)
        imap.login(self.user, self.password)
        return imap

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        imap = self.connect()
        try:
            status, _ = imap.append(f'"{folder}"', None, None, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
            assert status == "OK"
        finally:
            imap.logout()

    def count(self, folder: str) -> int:
        """Messages in `folder` (0 when it does not exist)."""
        imap = self.connect()
        try:
            status, data = imap.select(f'"{folder}"', readonly=True)
            return int(data[0]) if status == "OK" else 0
        finally:
            imap.logout()

    def clear(self) -> None:
        """Empty INBOX and the processed folder between tests (the server is shared by the module)."""
        imap = self.connect()
        try:
            for folder in ("INBOX", "Preventivo/processados"):
                status, data = imap.select(f'"{folder}"')
                if status == "OK" and int(data[0]):
                    imap.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                    imap.expunge()
        finally:
            imap.logout()
