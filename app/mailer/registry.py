"""Keeping the list of services honest: a service with a past is deactivated, never deleted.

A service that an operation is bound to, or that has deliveries, monthly usage, rotations or
alerts, cannot be deleted: its history must keep pointing at it (the database restricts those
foreign keys too). The panel and the API say why and offer deactivation instead.
"""
from __future__ import annotations

from sqlalchemy import or_, select

from app.extensions import db
from app.models import Alert, Delivery, EmailService, Operation, OperationBinding, Rotation, ServiceUsage


def deletion_blockers(service: EmailService) -> list[str]:
    """Why `service` cannot be deleted (pt-BR; empty: it can)."""
    blockers = []
    bound = db.session.execute(
        select(Operation.name).join(OperationBinding, OperationBinding.operation_id == Operation.id)
        .where(OperationBinding.service_id == service.id).order_by(Operation.name)
    ).scalars().all()
    if bound:
        blockers.append(f"está em uso pela operação {', '.join(bound)}")
    history = [
        ("envios", select(Delivery.id).where(Delivery.service_id == service.id)),
        ("uso mensal", select(ServiceUsage.id).where(ServiceUsage.service_id == service.id)),
        ("trocas de serviço", select(Rotation.id).where(or_(Rotation.from_service_id == service.id,
                                                            Rotation.to_service_id == service.id))),
        ("alertas", select(Alert.id).where(Alert.service_id == service.id)),
    ]
    kinds = [name for name, query in history if db.session.execute(query.limit(1)).first() is not None]
    if kinds:
        blockers.append(f"tem histórico ({', '.join(kinds)})")
    return blockers


def deletion_refusal(service: EmailService) -> str | None:
    """The sentence shown when deleting is refused, or None when the service may be deleted."""
    blockers = deletion_blockers(service)
    if not blockers:
        return None
    return (f"O serviço {service.name} não pode ser excluído: {' e '.join(blockers)}. "
            "Desative-o (Desativar, ou desmarque Ativo) para que nunca mais seja usado; o histórico continua com "
            "o nome dele.")
