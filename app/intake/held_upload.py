"""A spreadsheet kept between two submissions of 'Cadastrar Campanha'.

When the form comes back with an error (a missing operation, a past date, a refused
or duplicate file), the person should not have to pick the file again. The upload is
written under instance/held-uploads/<user id>/ with a random token; the form carries
only the token and shows "arquivo mantido: X". Only its uploader can use it (the user
id is part of the path), it expires after KEEP_SECONDS, and it is deleted once a
campaign is created from it. Expired files are removed whenever a file is held.
"""
from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app

log = logging.getLogger(__name__)

KEEP_SECONDS = 3600
FOLDER = "held-uploads"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass
class HeldFile:
    token: str
    filename: str
    path: Path

    def open(self) -> BinaryIO:
        return self.path.open("rb")


def _root() -> Path:
    return Path(current_app.instance_path) / FOLDER


def _user_dir(user_id: int) -> Path:
    return _root() / str(int(user_id))


def _paths(user_id: int, token: str) -> tuple[Path, Path]:
    folder = _user_dir(user_id)
    return folder / f"{token}.data", folder / f"{token}.name"


def hold(user_id: int, stream: BinaryIO, filename: str) -> HeldFile:
    """Copy the upload to disk; returns its token and path."""
    prune()
    token = secrets.token_urlsafe(16)
    data, name = _paths(user_id, token)
    data.parent.mkdir(parents=True, exist_ok=True)
    with data.open("wb") as out:
        shutil.copyfileobj(stream, out, 1024 * 1024)
    name.write_text((filename or "")[-255:], encoding="utf-8")
    return HeldFile(token, name.read_text(encoding="utf-8"), data)


def fetch(user_id: int, token: str | None) -> HeldFile | None:
    """The held file, for its uploader only; None when unknown, expired or someone else's."""
    if not token or not _TOKEN.match(token):
        return None
    data, name = _paths(user_id, token)
    try:
        if time.time() - data.stat().st_mtime > KEEP_SECONDS:
            discard(user_id, token)
            return None
        return HeldFile(token, name.read_text(encoding="utf-8"), data)
    except OSError:
        return None


def discard(user_id: int, token: str | None) -> None:
    if not token or not _TOKEN.match(token):
        return
    for path in _paths(user_id, token):
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def prune(now: float | None = None) -> int:
    """Delete every held file older than KEEP_SECONDS; returns how many."""
    root = _root()
    if not root.is_dir():
        return 0
    cutoff = (now or time.time()) - KEEP_SECONDS
    removed = 0
    for path in root.glob("*/*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += path.suffix == ".data"
        except OSError:
            continue
    for folder in root.iterdir():
        if folder.is_dir() and not any(folder.iterdir()):
            try:
                os.rmdir(folder)
            except OSError:
                pass
    if removed:
        log.info("held uploads: %s expired file(s) removed", removed)
    return removed
