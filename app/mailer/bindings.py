"""Which service and sender an operation uses: the lookup, the admin's warnings and the manual change."""
from __future__ import annotations

import logging

from app import audit
from app.extensions import db
from app.models import EmailService, Operation, OperationBinding, Rotation
from app.models.mailer import ROTATION_MANUAL
from app.timeutil import now_utc

from .eligibility import unusable_reasons
from .service_alerts import alert_binding_changed

log = logging.getLogger(__name__)


def binding_of(operation_id: int) -> OperationBinding | None:
    """The operation's binding, fresh from the database (another worker may have moved it)."""
    return db.session.execute(
        db.select(OperationBinding).where(OperationBinding.operation_id == operation_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def binding_warnings(operation: Operation, sender_email: str, service: EmailService | None) -> list[str]:
    """What an admin should confirm before binding (pt-BR): out of rotation, and every reason it cannot send."""
    if service is None:
        return ["Nenhum serviço selecionado: a operação não conseguirá enviar."]
    warnings = []
    if not service.in_rotation:
        warnings.append(f"{service.name} está fora do rodízio (reservado para uso interno). Use-o só se tiver certeza.")
    warnings += [f"{service.name}: {reason}." for reason in unusable_reasons(service, sender_email)]
    return warnings


def set_binding(operation: Operation, sender_email: str, service: EmailService | None, *, user=None,
                reason: str = "Alteração manual") -> OperationBinding:
    """Point `operation` at `service` with `sender_email`; records the move and commits.

    A change of service sends the "Serviço de envio alterado" confirmation. Paused campaigns
    are resumed by the caller (app.campaigns.sending.resume_operation).
    """
    binding = binding_of(operation.id)
    previous_service_id = binding.service_id if binding else None
    if binding is None:
        binding = OperationBinding(operation_id=operation.id, sender_email=sender_email, service_id=None)
        db.session.add(binding)
    binding.sender_email = sender_email.strip().lower()
    binding.service_id = service.id if service else None
    binding.updated_by_id = getattr(user, "id", None)
    binding.updated_at = now_utc()
    binding.stalled_at = None
    binding.stalled_reason = None
    rotation = None
    if previous_service_id != binding.service_id:
        previous = db.session.get(EmailService, previous_service_id) if previous_service_id else None
        rotation = Rotation(operation_id=operation.id, from_service_id=previous_service_id,
                            to_service_id=binding.service_id, kind=ROTATION_MANUAL, reason=reason,
                            user_id=getattr(user, "id", None), from_service_name=getattr(previous, "name", None),
                            to_service_name=getattr(service, "name", None))
        db.session.add(rotation)
    audit.record("binding.update", target=binding, user=user,
                 details={"operation": operation.code, "service": service.name if service else None})
    db.session.commit()
    if rotation is not None:
        alert_binding_changed(operation, previous, service, ROTATION_MANUAL, reason, user=user,
                              rotation_id=rotation.id)
    return binding
