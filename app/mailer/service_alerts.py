"""The emails admins get about services. One event, one alert: a service that runs out of quota,
breaks or stops answering produces one alert that lists every operation that moved (and where to);
a manual change of binding sends its confirmation; an operation left with nothing to send with
gets one "Envio pausado" per stall."""
from __future__ import annotations

from markupsafe import Markup, escape

from app.alerts import send_admin_alert
from app.models import EmailService, Operation
from app.models.mailer import ROTATION_AUTOMATIC
from app.timeutil import fmt_datetime, now_utc, to_local

Moves = list[tuple[Operation, EmailService | None]]


def _name(service: EmailService | None) -> str:
    return service.name if service else "nenhum"


def _moves_html(moves: Moves) -> Markup:
    """<ul> of 'operation → service' (or 'no service: paused')."""
    if not moves:
        return Markup("<p>Nenhuma operação usava este serviço.</p>")
    items = []
    for operation, target in moves:
        if target is None:
            items.append(Markup("<li><b>{}</b>: nenhum serviço disponível, as campanhas em envio foram pausadas "
                                "e retomam sozinhas quando um serviço voltar a estar disponível</li>").format(operation.name))
        else:
            items.append(Markup("<li><b>{}</b> passou para <b>{}</b></li>").format(operation.name, target.name))
    return Markup("<p>Operações:</p><ul>") + Markup("").join(items) + Markup("</ul>")


def _single_operation(moves: Moves) -> int | None:
    return moves[0][0].id if len(moves) == 1 else None


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


def alert_quota(service: EmailService, moves: Moves, month: str, reason: str) -> None:
    body = (Markup("<p>Limite de Envios Esgotado! O serviço <b>{}</b> esgotou o limite de envios.</p>"
                   "<p>Motivo: {}</p>").format(service.name, reason) + _moves_html(moves))
    send_admin_alert("quota_exhausted", "Limite de Envios Esgotado!", str(body),
                     dedupe_key=f"quota:{service.id}:{month}:{service.monthly_quota}",
                     operation_id=_single_operation(moves), service_id=service.id)


def alert_broken(service: EmailService, moves: Moves) -> None:
    body = (Markup("<p>O serviço de envio <b>{}</b> foi marcado <b>com defeito</b>.</p><p>Motivo: {}</p>")
            .format(service.name, service.broken_reason or "") + _moves_html(moves) +
            Markup("<p>Corrija o cadastro (por exemplo, a senha, a porta ou a segurança) em Cadastro Serviços para "
                   "devolvê-lo ao rodízio.</p>"))
    stamp = service.broken_at.isoformat() if service.broken_at else ""
    send_admin_alert("service_broken", f"Serviço de envio com defeito: {service.name}", str(body),
                     dedupe_key=f"broken:{service.id}:{stamp}"[:120], operation_id=_single_operation(moves),
                     service_id=service.id)


def alert_unreachable(service: EmailService, moves: Moves) -> None:
    since = to_local(service.unreachable_at).strftime("%H:%M") if service.unreachable_at else "agora"
    body = (Markup("<p>Serviço sem conexão! O serviço <b>{}</b> não responde desde {}.</p><p>Motivo: {}</p>")
            .format(service.name, since, service.unreachable_reason or "") + _moves_html(moves) +
            Markup("<p>O sistema testa a conexão a cada poucos minutos e avisa quando ele voltar. As operações não "
                   "voltam sozinhas para ele: use Alterar Serviço de Envio se quiser.</p>"))
    stamp = service.unreachable_at.isoformat() if service.unreachable_at else ""
    send_admin_alert("service_unreachable", f"Serviço sem conexão: {service.name}", str(body),
                     dedupe_key=f"unreachable:{service.id}:{stamp}"[:120], operation_id=_single_operation(moves),
                     service_id=service.id)


def alert_reconnected(service: EmailService, since) -> None:
    body = Markup("<p>Serviço reconectado: o serviço <b>{}</b> voltou a responder (estava sem conexão desde "
                  "{}).</p><p>As operações não voltam sozinhas para ele: use Alterar Serviço de Envio se quiser."
                  "</p>").format(service.name, fmt_datetime(since))
    send_admin_alert("service_reconnected", f"Serviço reconectado: {service.name}", str(body),
                     dedupe_key=f"reconnected:{service.id}:{since.isoformat() if since else ''}"[:120],
                     service_id=service.id)


def alert_no_service(operation: Operation, stalled_at, reason: str) -> None:
    body = Markup(
        "<p>Nenhum serviço de envio está disponível para a operação <b>{}</b> (todos esgotados, inativos, com "
        "defeito, sem conexão ou sem permissão para o remetente).</p><p>Motivo: {}</p>"
        "<p>As campanhas em envio foram <b>pausadas</b> e retomam sozinhas quando um serviço ficar disponível "
        "(novo mês, cota aumentada, serviço cadastrado, corrigido ou reconectado, serviço alterado).</p>"
    ).format(operation.name, reason)
    send_admin_alert("no_service", "Envio pausado: nenhum serviço de envio disponível", str(body),
                     dedupe_key=f"noservice:{operation.id}:{stalled_at.isoformat()}"[:120], operation_id=operation.id)
