"""The emails admins get about services: a binding changed, a quota ran out, a service broke, nothing can send."""
from __future__ import annotations

from markupsafe import escape

from app.alerts import send_admin_alert
from app.models import EmailService, Operation
from app.models.mailer import ROTATION_AUTOMATIC
from app.timeutil import fmt_datetime, now_utc


def _name(service: EmailService | None) -> str:
    return service.name if service else "nenhum"


def alert_binding_changed(operation: Operation, from_service: EmailService | None, to_service: EmailService | None,
                          kind: str, reason: str, user=None, rotation_id: int | None = None) -> None:
    who = getattr(user, "email", None) or ("o sistema (rodízio automático)" if kind == ROTATION_AUTOMATIC else "—")
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
