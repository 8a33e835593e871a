"""Redirect targets we are willing to follow (no open redirects)."""
from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site: no scheme, no host, no '//' or backslash tricks."""
    if not target:
        return default
    target = target.strip()
    if "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        # The referrer of our own pages is absolute: keep only its path.
        from flask import request

        if parts.netloc == request.host and parts.scheme in ("http", "https"):
            return parts.path + (f"?{parts.query}" if parts.query else "")
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    return target
