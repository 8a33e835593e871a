"""Changing which service and sender an operation uses (manual or automatic)."""
from __future__ import annotations

import logging

from app import audit
from app.extensions import db
from app.models import EmailService, Operation, OperationBinding, Rotation
from app.timeutil import now_utc

log = logging.getLogger(__name__)


def binding_for(operation: Operation) -> OperationBinding | None:
    return db.session.execute(
        db.select(OperationBinding).where(OperationBinding.operation_id == operation.id)
    ).scalar_one_or_none()


def binding_warnings(operation: Operation, sender_email: str, service: EmailService | None) -> list[str]:
    """What an admin should confirm before binding (pt-BR): out of rotation, exhausted, sender not allowed..."""
    from app.mailer import quota

    warnings = []
    if service is None:
        return ["Nenhum serviço selecionado: a operação não conseguirá enviar."]
    if not service.in_rotation:
        warnings.append(f"{service.name} está fora do rodízio (reservado para uso interno). Use-o só se tiver certeza.")
    if not service.active:
        warnings.append(f"{service.name} está inativo.")
    if service.broken_at:
        warnings.append(f"{service.name} está marcado com defeito: {service.broken_reason or ''}".strip())
    usage = quota.usage(service)
    if usage.exhausted:
        warnings.append(f"{service.name} esgotou o limite de envios deste mês ({usage.sent}/{usage.quota}); "
                        "o sistema vai trocar de serviço no próximo envio.")
    if not service.allows_sender(sender_email):
        warnings.append(f"{service.name} não permite enviar como {sender_email}.")
    return warnings


def set_binding(operation: Operation, sender_email: str, service: EmailService | None, *, user=None,
                reason: str = "Alteração manual") -> OperationBinding:
    """Point `operation` at `service` with `sender_email`; records the move and commits.

    A change of service sends the "Serviço de envio alterado" confirmation, and
    paused campaigns of the operation resume at once when the new service can send.
    """
    from app.mailer.rotation import MANUAL, alert_binding_changed, resume_operation

    binding = binding_for(operation)
    previous_service_id = binding.service_id if binding else None
    if binding is None:
        binding = OperationBinding(operation_id=operation.id, sender_email=sender_email, service_id=None)
        db.session.add(binding)
    binding.sender_email = sender_email.strip().lower()
    binding.service_id = service.id if service else None
    binding.updated_by_id = getattr(user, "id", None)
    binding.updated_at = now_utc()
    binding.stalled_at = None
    rotation = None
    if previous_service_id != binding.service_id:
        rotation = Rotation(
            operation_id=operation.id,
            from_service_id=previous_service_id,
            to_service_id=binding.service_id,
            kind=MANUAL,
            reason=reason,
            user_id=getattr(user, "id", None),
        )
        db.session.add(rotation)
    audit.record("binding.update", target=binding, user=user,
                 details={"operation": operation.code, "service": service.name if service else None})
    db.session.commit()
    if rotation is not None:
        previous = db.session.get(EmailService, previous_service_id) if previous_service_id else None
        alert_binding_changed(operation, previous, service, MANUAL, reason, user=user, rotation_id=rotation.id)
    try:
        if _has_paused_campaigns(operation.id):
            resume_operation(operation.id)
    except Exception:  # Redis down: the sweep resumes within a minute
        log.exception("operation=%s resume after binding change failed", operation.code)
        db.session.rollback()
    return binding


def _has_paused_campaigns(operation_id: int) -> bool:
    from app.models import Campaign
    from app.models.campaigns import PAUSED

    return db.session.execute(
        db.select(Campaign.id).where(Campaign.operation_id == operation_id, Campaign.status == PAUSED).limit(1)
    ).first() is not None
