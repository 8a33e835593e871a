"""Recording audit events from anywhere in the app."""
from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from app.extensions import db
from app.models import AuditEvent


def record(action: str, target=None, details: dict | None = None, user=None) -> AuditEvent:
    """Add an audit event to the session (the caller commits with its own change)."""
    if user is None and has_request_context() and current_user and current_user.is_authenticated:
        user = current_user._get_current_object()
    event = AuditEvent(
        user_id=getattr(user, "id", None),
        action=action,
        target_type=type(target).__name__ if target is not None else None,
        target_id=str(getattr(target, "id", "")) if target is not None else None,
        details=details or None,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event
