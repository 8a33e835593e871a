"""Redirect targets we are willing to follow (no open redirects)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site: one leading '/', no scheme, no host, no '//', backslash or control tricks.

    An absolute URL of this very host (the Referer of our own pages) is reduced to its path,
    and that path must pass the same test: `http://host//evil.com` is not a way out.
    """
    if not target:
        return default
    target = target.strip()
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        if parts.netloc == request.host and parts.scheme in ("http", "https"):
            return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""), default)
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    return target
