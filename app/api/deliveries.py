"""Deliveries of a campaign: GET /api/v1/campaigns/{id}/deliveries."""
from __future__ import annotations

from flask import jsonify, request

from app.extensions import db
from app.models import Campaign, Delivery, EmailService
from app.models.campaigns import (
    DELIVERY_BOUNCED,
    DELIVERY_FAILED,
    DELIVERY_PENDING,
    DELIVERY_SENDING,
    DELIVERY_SENT,
    DELIVERY_SUPPRESSED,
)
from app.timeutil import iso

from .auth import any_user
from .blueprint import bp
from .errors import ApiError
from .openapi import documented, json_body, path_id, schema

FILTERS = {
    "pending": (DELIVERY_PENDING, DELIVERY_SENDING),
    "sent": (DELIVERY_SENT,),
    "failed": (DELIVERY_FAILED,),
    "bounced": (DELIVERY_BOUNCED,),
    "suppressed": (DELIVERY_SUPPRESSED,),
}
MAX_PER_PAGE = 500

DELIVERY = schema("Delivery", {
    "type": "object",
    "required": ["id", "email", "status", "service", "attempts", "last_error", "message_id", "sent_at"],
    "properties": {
        "id": {"type": "integer"},
        "email": {"type": "string", "nullable": True, "description": "Nulo depois do expurgo de dados pessoais."},
        "status": {"type": "string", "enum": ["pending", "sending", "sent", "failed", "bounced", "suppressed"],
                   "description": "bounced: enviado e depois devolvido; suppressed: não enviado, endereço bloqueado."},
        "service": {"type": "string", "nullable": True, "description": "Serviço de envio usado (ou em uso)."},
        "attempts": {"type": "integer", "description": "Tentativas gastas pelo destinatário (falhas de cota ou do serviço não contam)."},
        "next_attempt_at": {"type": "string", "format": "date-time", "nullable": True},
        "last_error": {"type": "string", "nullable": True},
        "note": {"type": "string", "nullable": True,
                 "description": "O que aconteceu além do envio (ex.: PDF do credor não baixado e por quê)."},
        "message_id": {"type": "string", "nullable": True},
        "sent_at": {"type": "string", "format": "date-time", "nullable": True},
        "bounce_reason": {"type": "string", "nullable": True,
                          "description": "Motivo da última devolução (permanente ou temporária)."},
        "bounced_at": {"type": "string", "format": "date-time", "nullable": True},
        "soft_bounces": {"type": "integer", "description": "Devoluções temporárias (4.x.x) deste envio."},
    },
})
DELIVERY_PAGE = schema("DeliveryPage", {
    "type": "object",
    "required": ["items", "page", "per_page", "total"],
    "properties": {"items": {"type": "array", "items": DELIVERY}, "page": {"type": "integer"},
                   "per_page": {"type": "integer"}, "total": {"type": "integer"}},
})


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"Parâmetro '{name}' deve ser um número inteiro.", details={name: raw[:50]}) from None
    if not low <= value <= high:
        raise ApiError(400, f"Parâmetro '{name}' deve estar entre {low} e {high}.", details={name: value})
    return value


@bp.get("/campaigns/<int:campaign_id>/deliveries")
@documented("/campaigns/{campaign_id}/deliveries", "get", summary="Envios de uma campanha", tags=["Envios"],
            parameters=[
                path_id("campaign_id"),
                {"name": "status", "in": "query", "required": False,
                 "description": "pending (inclui os em envio), sent, failed, bounced (devolvidos) ou suppressed "
                                "(bloqueados)",
                 "schema": {"type": "string", "enum": list(FILTERS)}},
                {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 10**9, "default": 1}},
                {"name": "per_page", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 100}},
            ],
            responses={"200": json_body(DELIVERY_PAGE), "400": {"$ref": "#/components/responses/BadRequest"},
                       "404": {"$ref": "#/components/responses/NotFound"}})
@any_user
def list_deliveries(campaign_id: int):
    if db.session.get(Campaign, campaign_id) is None:
        raise ApiError(404, "Campanha não encontrada.")
    status = request.args.get("status")
    if status is not None and status not in FILTERS:
        raise ApiError(400, "Parâmetro 'status' deve ser pending, sent, failed, bounced ou suppressed.", details={"status": status[:50]})
    page = _int_arg("page", 1, 1, 10**9)
    per_page = _int_arg("per_page", 100, 1, MAX_PER_PAGE)
    where = [Delivery.campaign_id == campaign_id]
    if status:
        where.append(Delivery.status.in_(FILTERS[status]))
    total = db.session.execute(db.select(db.func.count(Delivery.id)).where(*where)).scalar()
    rows = db.session.execute(
        db.select(Delivery, EmailService.name).outerjoin(EmailService, EmailService.id == Delivery.service_id)
        .where(*where).order_by(Delivery.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    items = [{
        "id": d.id, "email": d.email, "status": d.status, "service": service_name, "attempts": d.attempts,
        "next_attempt_at": iso(d.next_attempt_at) if d.status == DELIVERY_PENDING else None,
        "last_error": d.last_error, "note": d.note, "message_id": d.message_id, "sent_at": iso(d.sent_at),
        "bounce_reason": d.bounce_reason, "bounced_at": iso(d.bounced_at), "soft_bounces": d.soft_bounces or 0,
    } for d, service_name in rows]
    return jsonify({"items": items, "page": page, "per_page": per_page, "total": total})
