"""Rotation: moving operations off exhausted, broken or unreachable services.

Order: the next eligible service after the current one in (rotation_order, id),
wrapping around. Eligible: active, in rotation, not broken, not exhausted this
month, allowed to send as the operation's sender (app.mailer.eligibility). Moves
are guarded UPDATEs (`WHERE service_id = <from>`), so two workers seeing the
same exhaustion make one move; every move is a Rotation row and a "Serviço de
envio alterado" email. When nothing is eligible the operation is *stalled*
(`OperationBinding.stalled_at`, one alert); pausing and resuming its campaigns
is the campaign lifecycle's business (app.campaigns.sending).

One event on a service (quota, defect, no connection) moves every operation bound to it
and sends one alert listing the moves (app.mailer.service_alerts).
"""
from __future__ import annotations

import logging

from sqlalchemy import update

from app.extensions import db
from app.models import Campaign, EmailService, Operation, OperationBinding, Rotation
from app.models.mailer import ROTATION_AUTOMATIC
from app.timeutil import month_key, now_utc

from . import health, quota
from .bindings import binding_of
from .eligibility import eligible, unusable_reason
from .service_alerts import (
    Moves,
    alert_binding_changed,
    alert_broken,
    alert_no_service,
    alert_quota,
    alert_unreachable,
)

log = logging.getLogger(__name__)

NO_BINDING = "a operação não tem serviço de envio configurado"


def _order_key(service: EmailService) -> tuple[int, int]:
    return (service.rotation_order, service.id)


def next_service(current: EmailService | None, sender: str, month: str | None = None) -> EmailService | None:
    """The first eligible service after `current` in rotation order, wrapping; never `current` itself."""
    services = db.session.execute(db.select(EmailService).order_by(EmailService.rotation_order, EmailService.id)).scalars().all()
    if current is not None:
        after = [s for s in services if _order_key(s) > _order_key(current)]
        before = [s for s in services if _order_key(s) < _order_key(current)]
        candidates = after + before
    else:
        candidates = services
    for service in candidates:
        if eligible(service, sender, month):
            return service
    return None


# --- moves --------------------------------------------------------------------------------
def move_binding(operation_id: int, from_service_id: int | None, to_service: EmailService | None, *, kind: str,
                 reason: str, user=None, campaign_id: int | None = None) -> Rotation | None:
    """Guarded move of the binding; returns the Rotation when this call made it (commits)."""
    result = db.session.execute(
        update(OperationBinding)
        .where(OperationBinding.operation_id == operation_id,
               OperationBinding.service_id.is_(None) if from_service_id is None else OperationBinding.service_id == from_service_id)
        .values(service_id=to_service.id if to_service else None, updated_at=now_utc(),
                updated_by_id=getattr(user, "id", None), stalled_at=None, stalled_reason=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return None
    from_service = db.session.get(EmailService, from_service_id) if from_service_id else None
    rotation = Rotation(operation_id=operation_id, from_service_id=from_service_id,
                        to_service_id=to_service.id if to_service else None, kind=kind, reason=reason[:1000],
                        user_id=getattr(user, "id", None), campaign_id=campaign_id,
                        from_service_name=getattr(from_service, "name", None),
                        to_service_name=getattr(to_service, "name", None))
    db.session.add(rotation)
    db.session.commit()
    return rotation


def rotate_operation(operation_id: int, from_service: EmailService, reason: str, *,
                     campaign_id: int | None = None) -> EmailService | None:
    """Move one operation off `from_service`. Returns the service it now uses (None: stalled).

    No alert of its own: the event that moved it (quota, defect, no connection) sends one for every
    operation it moved; a stall sends its "Envio pausado".
    """
    return _rotate(operation_id, from_service, reason, campaign_id)[0]


def _rotate(operation_id: int, from_service: EmailService, reason: str,
            campaign_id: int | None) -> tuple[EmailService | None, Rotation | None]:
    """(the service the operation uses now, the Rotation when this call made the move)."""
    operation = db.session.get(Operation, operation_id)
    binding = binding_of(operation_id)
    if binding is None:
        return None, None
    if binding.service_id != from_service.id:
        # Someone (another worker, an admin) already moved it.
        current = db.session.get(EmailService, binding.service_id) if binding.service_id else None
        return (current if current and unusable_reason(current, binding.sender_email) is None else None), None
    target = next_service(from_service, binding.sender_email)
    if target is None:
        stall(operation, reason)
        return None, None
    rotation = move_binding(operation_id, from_service.id, target, kind=ROTATION_AUTOMATIC, reason=reason,
                            campaign_id=campaign_id)
    if rotation is None:  # moved concurrently
        return _current_usable(operation_id), None
    log.info("rotation operation=%s %s -> %s (%s)", operation.code, from_service.name, target.name, reason)
    return target, rotation


def _current_usable(operation_id: int) -> EmailService | None:
    binding = binding_of(operation_id)
    if binding is None or binding.service_id is None:
        return None
    service = db.session.get(EmailService, binding.service_id)
    return service if unusable_reason(service, binding.sender_email) is None else None


def stall(operation: Operation, reason: str) -> None:
    """No eligible service: mark the operation stalled (its campaigns pause); one alert per stall."""
    stamp = now_utc()
    result = db.session.execute(
        update(OperationBinding).where(OperationBinding.operation_id == operation.id, OperationBinding.stalled_at.is_(None))
        .values(stalled_at=stamp, stalled_reason=reason[:1000]).execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount == 1:
        log.warning("operation=%s stalled: no eligible service (%s)", operation.code, reason)
        alert_no_service(operation, stamp, reason)


def service_exhausted(service: EmailService, reason: str, *, by_reply: bool, campaign_id: int | None = None) -> None:
    """Exhaustion is global: every operation bound to `service` moves on; one alert per exhaustion."""
    month = month_key()
    if by_reply:
        quota.mark_exhausted(service, reason, month)
    moves = _move_operations(service, f"Limite de envios esgotado: {reason}", campaign_id)
    alert_quota(service, moves, month, reason)


def service_broken(service: EmailService, reason: str, *, campaign_id: int | None = None) -> None:
    """The service answers but refuses (credentials, TLS, sender): marked "com defeito"; one alert per mark."""
    result = db.session.execute(
        update(EmailService).where(EmailService.id == service.id, EmailService.broken_at.is_(None))
        .values(broken_at=now_utc(), broken_reason=reason[:1000]).execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(service)
    moves = _move_operations(service, f"Serviço com defeito: {reason}", campaign_id)
    if result.rowcount == 1:
        alert_broken(service, moves)


def service_unreachable(service: EmailService, reason: str, *, campaign_id: int | None = None) -> None:
    """The service stopped answering (SERVICE_DOWN_AFTER failures in a row): marked "sem conexão"; its
    operations move on; one alert per episode."""
    marked = health.mark_unreachable(service, reason)
    moves = _move_operations(service, f"Serviço sem conexão: {reason}", campaign_id)
    if marked:
        alert_unreachable(service, moves)


def service_throttled(service: EmailService, operation_id: int, reason: str, *, campaign_id: int | None = None) -> None:
    """The relay limits the rate and the operation chose not to wait: only this operation moves on (the
    service stays eligible: it is not out of quota, just slow); the move sends its confirmation alert."""
    target, moved = _rotate(operation_id, service, f"Ritmo de envio limitado pelo servidor: {reason}", campaign_id)
    if moved is not None:
        operation = db.session.get(Operation, operation_id)
        alert_binding_changed(operation, service, target, ROTATION_AUTOMATIC, moved.reason, rotation_id=moved.id)


def _move_operations(service: EmailService, reason: str, campaign_id: int | None) -> Moves:
    moves = []
    for operation_id in _bound_operations(service.id):
        target = rotate_operation(operation_id, service, reason, campaign_id=_own_campaign(operation_id, campaign_id))
        moves.append((db.session.get(Operation, operation_id), target))
    return moves


def _own_campaign(operation_id: int, campaign_id: int | None) -> int | None:
    """The campaign that met the fault, only for its own operation's rotation.

    Other operations bound to the same service move too, but not "during" that
    campaign: their rotation must not show up in its report.
    """
    if campaign_id is None:
        return None
    owner = db.session.execute(db.select(Campaign.operation_id).where(Campaign.id == campaign_id)).scalar()
    return campaign_id if owner == operation_id else None


def _bound_operations(service_id: int) -> list[int]:
    return db.session.execute(
        db.select(OperationBinding.operation_id).where(OperationBinding.service_id == service_id)
    ).scalars().all()


def ensure_service(operation_id: int, campaign_id: int | None = None) -> EmailService | None:
    """The service the operation can send with now, rotating if its current one cannot (None: stalled)."""
    binding = binding_of(operation_id)
    if binding is None:
        operation = db.session.get(Operation, operation_id)
        stall(operation, NO_BINDING)
        return None
    current = db.session.get(EmailService, binding.service_id) if binding.service_id else None
    why = unusable_reason(current, binding.sender_email)
    if why is None:
        if binding.stalled_at is not None:
            db.session.execute(update(OperationBinding).where(OperationBinding.id == binding.id)
                               .values(stalled_at=None, stalled_reason=None)
                               .execution_options(synchronize_session=False))
            db.session.commit()
        return current
    operation = db.session.get(Operation, operation_id)
    if current is None:
        target = next_service(None, binding.sender_email)
        if target is None:
            stall(operation, why)
            return None
        rotation = move_binding(operation_id, None, target, kind=ROTATION_AUTOMATIC, reason=why, campaign_id=campaign_id)
        if rotation:
            alert_binding_changed(operation, None, target, ROTATION_AUTOMATIC, why, rotation_id=rotation.id)
        return _current_usable(operation_id)
    # Found at the start of a batch (the event that made it unusable moved the operations bound then):
    # this move gets the "Serviço de envio alterado" alert of an automatic change.
    target, rotation = _rotate(operation_id, current, why, campaign_id)
    if rotation is not None:
        alert_binding_changed(operation, current, target, ROTATION_AUTOMATIC, why, rotation_id=rotation.id)
    return target
