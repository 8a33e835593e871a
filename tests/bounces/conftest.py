"""A real IMAP server (Dovecot) for the bounce tests, and the bounce mailbox row that points at it."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.helpers import imap_server


@pytest.fixture(scope="module")
def dovecot():
    """Dovecot on a free port for the module (plain and implicit TLS); each test starts with empty folders.

    Its folder is under /tmp itself: pytest's own are private to the user, and Dovecot's mail processes run as
    `nobody` when the tests run as root."""
    if not imap_server.available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Dovecot missing: {imap_server.INSTALL_HINT}")
        pytest.skip(f"Dovecot missing: {imap_server.INSTALL_HINT}")
    root = Path(tempfile.mkdtemp(prefix="preventivo-dovecot-"))
    server = imap_server.ImapServer(root, tls=True).start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap(dovecot):
    dovecot.clear()
    return dovecot


@pytest.fixture
def mailbox(app, imap):
    """The shared bounce mailbox (no operation), read over plain IMAP on 127.0.0.1."""
    from app.extensions import db
    from app.models import BounceMailbox

    box = BounceMailbox(host=imap.host, port=imap.port, security="none", username=imap.user, folder="INBOX",
                        envelope_sender="bounces@preventivo.test")
    box.set_password(imap.password)
    db.session.add(box)
    db.session.commit()
    return box
