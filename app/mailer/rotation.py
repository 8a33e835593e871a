"""Rotation: moving operations off exhausted or broken services, pausing and resuming campaigns.

Order: the next eligible service after the current one in (rotation_order, id),
wrapping around. Eligible: active, in rotation, not broken, not exhausted this
month, allowed to send as the operation's sender. Moves are guarded UPDATEs
(`WHERE service_id = <from>`), so two workers seeing the same exhaustion make
one move; every move is a Rotation row and a "Serviço de envio alterado" email.
"""
from __future__ import annotations

import logging

from markupsafe import escape
from sqlalchemy import update

from app.alerts import send_admin_alert
from app.extensions import db
from app.models import Campaign, EmailService, Operation, OperationBinding, Rotation
from app.models.campaigns import PAUSED, SENDING
from app.timeutil import fmt_datetime, month_key, now_utc

from . import quota

log = logging.getLogger(__name__)

AUTOMATIC = "automatic"
MANUAL = "manual"
KIND_LABELS = {AUTOMATIC: "Automática", MANUAL: "Manual"}
PAUSE_REASON = "Nenhum serviço de envio disponível para a operação"


# --- eligibility ------------------------------------------------------------------------
def unusable_reason(service: EmailService | None, sender: str, month: str | None = None) -> str | None:
    """Why `service` cannot send as `sender` now (None: it can). Ignores `in_rotation`:
    a service bound by hand (even SERVICO_1) may send."""
    if service is None:
        return "Nenhum serviço configurado"
    if not service.active:
        return "Serviço inativo"
    if service.broken_at is not None:
        return f"Serviço com defeito: {service.broken_reason or ''}".strip()
    if not service.allows_sender(sender):
        return f"O serviço não permite o remetente {sender}"
    usage = quota.usage(service, month)
    if usage.exhausted:
        return f"Limite de envios esgotado ({usage.exhausted_reason})"
    return None


def eligible(service: EmailService, sender: str, month: str | None = None) -> bool:
    return service.in_rotation and unusable_reason(service, sender, month) is None


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


def binding_of(operation_id: int) -> OperationBinding | None:
    return db.session.execute(
        db.select(OperationBinding).where(OperationBinding.operation_id == operation_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


# --- alerts -----------------------------------------------------------------------------
def _name(service: EmailService | None) -> str:
    return service.name if service else "nenhum"


def alert_binding_changed(operation: Operation, from_service: EmailService | None, to_service: EmailService | None,
                          kind: str, reason: str, user=None, rotation_id: int | None = None) -> None:
    who = getattr(user, "email", None) or ("o sistema (rodízio automático)" if kind == AUTOMATIC else "—")
    body = (
        f"<p>O serviço de envio da operação <b>{escape(operation.name)}</b> foi alterado.</p>"
        f"<ul><li>De: <b>{escape(_name(from_service))}</b></li>"
        f"<li>Para: <b>{escape(_name(to_service))}</b></li>"
        f"<li>Motivo: {escape(reason)}</li>"
        f"<li>Por: {escape(who)}</li>"
        f"<li>Quando: {escape(fmt_datetime(now_utc()))}</li></ul>"
    )
    send_admin_alert("binding_changed", "Serviço de envio alterado", body,
                     dedupe_key=f"binding:{rotation_id}" if rotation_id else None,
                     operation_id=operation.id, service_id=getattr(to_service, "id", None))


def alert_quota(service: EmailService, operation: Operation, now_using: EmailService | None, month: str) -> None:
    using = (f"<p>Serviço em uso agora: <b>{escape(now_using.name)}</b>.</p>" if now_using else
             "<p><b>Nenhum serviço de envio disponível</b>: as campanhas em envio desta operação foram pausadas "
             "e retomam sozinhas quando um serviço voltar a estar disponível.</p>")
    body = (f"<p>Limite de Envios Esgotado! O serviço <b>{escape(service.name)}</b> da operação "
            f"<b>{escape(operation.name)}</b> esgotou o limite de envios.</p>{using}")
    send_admin_alert("quota_exhausted", "Limite de Envios Esgotado!", body,
                     dedupe_key=f"quota:{service.id}:{month}:{service.monthly_quota}:{operation.id}",
                     operation_id=operation.id, service_id=service.id)


def alert_broken(service: EmailService) -> None:
    body = (f"<p>O serviço de envio <b>{escape(service.name)}</b> recusou a conexão ou a autenticação e foi "
            f"marcado com defeito.</p><p>Resposta do servidor: <code>{escape(service.broken_reason or '')}</code></p>"
            "<p>Corrija o cadastro (por exemplo, a senha) em Cadastro Serviços para devolvê-lo ao rodízio.</p>")
    stamp = service.broken_at.isoformat() if service.broken_at else ""
    send_admin_alert("service_broken", f"Serviço de envio com defeito: {service.name}", body,
                     dedupe_key=f"broken:{service.id}:{stamp}"[:120], service_id=service.id)


def alert_no_service(operation: Operation, stalled_at) -> None:
    body = (f"<p>Nenhum serviço de envio está disponível para a operação <b>{escape(operation.name)}</b> "
            "(todos esgotados, inativos, com defeito ou sem permissão para o remetente).</p>"
            "<p>As campanhas em envio foram <b>pausadas</b> e retomam sozinhas em até um minuto quando um serviço "
            "ficar disponível (novo mês, cota aumentada, serviço cadastrado ou corrigido, serviço alterado).</p>")
    send_admin_alert("no_service", "Envio pausado: nenhum serviço de envio disponível", body,
                     dedupe_key=f"noservice:{operation.id}:{stalled_at.isoformat()}"[:120], operation_id=operation.id)


# --- moves --------------------------------------------------------------------------------
def move_binding(operation_id: int, from_service_id: int | None, to_service: EmailService | None, *, kind: str,
                 reason: str, user=None, campaign_id: int | None = None) -> Rotation | None:
    """Guarded move of the binding; returns the Rotation when this call made it (commits)."""
    result = db.session.execute(
        update(OperationBinding)
        .where(OperationBinding.operation_id == operation_id,
               OperationBinding.service_id.is_(None) if from_service_id is None else OperationBinding.service_id == from_service_id)
        .values(service_id=to_service.id if to_service else None, updated_at=now_utc(),
                updated_by_id=getattr(user, "id", None), stalled_at=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return None
    rotation = Rotation(operation_id=operation_id, from_service_id=from_service_id,
                        to_service_id=to_service.id if to_service else None, kind=kind, reason=reason[:1000],
                        user_id=getattr(user, "id", None), campaign_id=campaign_id)
    db.session.add(rotation)
    db.session.commit()
    return rotation


def rotate_operation(operation_id: int, from_service: EmailService, reason: str, *, quota_month: str | None = None,
                     campaign_id: int | None = None) -> EmailService | None:
    """Move one operation off `from_service`. Returns the service it now uses (None: stalled, campaigns paused)."""
    operation = db.session.get(Operation, operation_id)
    binding = binding_of(operation_id)
    if binding is None:
        return None
    if binding.service_id != from_service.id:
        # Someone (another worker, an admin) already moved it.
        current = db.session.get(EmailService, binding.service_id) if binding.service_id else None
        return current if current and unusable_reason(current, binding.sender_email) is None else None
    target = next_service(from_service, binding.sender_email)
    if target is not None:
        rotation = move_binding(operation_id, from_service.id, target, kind=AUTOMATIC, reason=reason,
                                campaign_id=campaign_id)
        if rotation is None:  # moved concurrently
            return _current_usable(operation_id)
        log.info("rotation operation=%s %s -> %s (%s)", operation.code, from_service.name, target.name, reason)
        if quota_month:
            alert_quota(from_service, operation, target, quota_month)
        alert_binding_changed(operation, from_service, target, AUTOMATIC, reason, rotation_id=rotation.id)
        return target
    stall(operation, reason)
    if quota_month:
        alert_quota(from_service, operation, None, quota_month)
    return None


def _current_usable(operation_id: int) -> EmailService | None:
    binding = binding_of(operation_id)
    if binding is None or binding.service_id is None:
        return None
    service = db.session.get(EmailService, binding.service_id)
    return service if unusable_reason(service, binding.sender_email) is None else None


def stall(operation: Operation, reason: str) -> None:
    """No eligible service: pause the operation's sending campaigns; one alert per stall."""
    stamp = now_utc()
    result = db.session.execute(
        update(OperationBinding).where(OperationBinding.operation_id == operation.id, OperationBinding.stalled_at.is_(None))
        .values(stalled_at=stamp).execution_options(synchronize_session=False)
    )
    db.session.commit()
    pause_campaigns(operation.id, f"{PAUSE_REASON}: {reason}")
    if result.rowcount == 1:
        log.warning("operation=%s stalled: no eligible service (%s)", operation.code, reason)
        alert_no_service(operation, stamp)


def pause_campaigns(operation_id: int, reason: str) -> list[int]:
    from app.campaigns.lifecycle import transition

    ids = db.session.execute(
        db.select(Campaign.id).where(Campaign.operation_id == operation_id, Campaign.status == SENDING)
    ).scalars().all()
    return [cid for cid in ids if transition(cid, SENDING, PAUSED, status_reason=reason[:1000])]


def service_exhausted(service: EmailService, reason: str, *, by_reply: bool, campaign_id: int | None = None) -> None:
    """Exhaustion is global: every operation bound to `service` moves on."""
    month = month_key()
    if by_reply:
        quota.mark_exhausted(service, reason, month)
    for operation_id in _bound_operations(service.id):
        rotate_operation(operation_id, service, f"Limite de envios esgotado: {reason}", quota_month=month,
                         campaign_id=_own_campaign(operation_id, campaign_id))


def service_broken(service: EmailService, reason: str, *, campaign_id: int | None = None) -> None:
    result = db.session.execute(
        update(EmailService).where(EmailService.id == service.id, EmailService.broken_at.is_(None))
        .values(broken_at=now_utc(), broken_reason=reason[:1000]).execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(service)
    if result.rowcount == 1:
        alert_broken(service)
    for operation_id in _bound_operations(service.id):
        rotate_operation(operation_id, service, f"Serviço com defeito: {reason}",
                         campaign_id=_own_campaign(operation_id, campaign_id))


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
        stall(operation, "a operação não tem serviço de envio configurado")
        return None
    current = db.session.get(EmailService, binding.service_id) if binding.service_id else None
    why = unusable_reason(current, binding.sender_email)
    if why is None:
        if binding.stalled_at is not None:
            db.session.execute(update(OperationBinding).where(OperationBinding.id == binding.id).values(stalled_at=None)
                               .execution_options(synchronize_session=False))
            db.session.commit()
        return current
    operation = db.session.get(Operation, operation_id)
    if current is None:
        target = next_service(None, binding.sender_email)
        if target is None:
            stall(operation, why)
            return None
        rotation = move_binding(operation_id, None, target, kind=AUTOMATIC, reason=why, campaign_id=campaign_id)
        if rotation:
            alert_binding_changed(operation, None, target, AUTOMATIC, why, rotation_id=rotation.id)
        return _current_usable(operation_id)
    exhausted = quota.usage(current).exhausted
    return rotate_operation(operation_id, current, why, quota_month=month_key() if exhausted else None,
                            campaign_id=campaign_id)


# --- sweep ----------------------------------------------------------------------------------
def resume_paused() -> int:
    """Sweep step: resume paused campaigns (and stalled operations) as soon as a service is eligible."""
    operation_ids = set(db.session.execute(
        db.select(Campaign.operation_id).where(Campaign.status == PAUSED)
    ).scalars().all())
    operation_ids |= set(db.session.execute(
        db.select(OperationBinding.operation_id).where(OperationBinding.stalled_at.is_not(None))
    ).scalars().all())
    return sum(resume_operation(operation_id) for operation_id in operation_ids)


def resume_operation(operation_id: int) -> int:
    """Resume the operation's paused campaigns if it has a usable service now; returns how many resumed."""
    from app.campaigns.lifecycle import transition
    from app.mailer.dispatch import enqueue_sending

    if ensure_service(operation_id) is None:
        return 0
    resumed = 0
    paused = db.session.execute(
        db.select(Campaign.id).where(Campaign.operation_id == operation_id, Campaign.status == PAUSED)
    ).scalars().all()
    for campaign_id in paused:
        if transition(campaign_id, PAUSED, SENDING, status_reason=None):
            log.info("campaign=%s resumed: a service is eligible again", campaign_id)
            enqueue_sending(campaign_id)
            resumed += 1
    return resumed
