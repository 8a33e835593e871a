"""Changing which service and sender an operation uses (manual or automatic)."""
from __future__ import annotations

from app import audit
from app.extensions import db
from app.models import EmailService, Operation, OperationBinding, Rotation


def binding_for(operation: Operation) -> OperationBinding | None:
    return db.session.execute(
        db.select(OperationBinding).where(OperationBinding.operation_id == operation.id)
    ).scalar_one_or_none()


def set_binding(operation: Operation, sender_email: str, service: EmailService | None, *, user=None,
                reason: str = "Alteração manual") -> OperationBinding:
    """Point `operation` at `service` with `sender_email`; records the move. Caller commits."""
    binding = binding_for(operation)
    previous_service_id = binding.service_id if binding else None
    if binding is None:
        binding = OperationBinding(operation_id=operation.id, sender_email=sender_email, service_id=None)
        db.session.add(binding)
    binding.sender_email = sender_email.strip().lower()
    binding.service_id = service.id if service else None
    binding.updated_by_id = getattr(user, "id", None)
    if previous_service_id != binding.service_id:
        db.session.add(Rotation(
            operation_id=operation.id,
            from_service_id=previous_service_id,
            to_service_id=binding.service_id,
            kind="manual",
            reason=reason,
            user_id=getattr(user, "id", None),
        ))
    audit.record("binding.update", target=binding, user=user,
                 details={"operation": operation.code, "service": service.name if service else None})
    return binding
