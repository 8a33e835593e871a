"""The suppression list: GET/POST /api/v1/suppressions, DELETE /api/v1/suppressions/{email}.
Operators read; admins change (audited)."""
from __future__ import annotations

from flask import g, jsonify, request

from app import audit
from app.bounces import suppression
from app.bounces.suppression_files import valid_email
from app.extensions import db
from app.models import Suppression
from app.models.bounces import SOURCE_MANUAL, SUPPRESSION_SOURCES
from app.security.text import CONTROL_MESSAGE, has_control_characters
from app.timeutil import iso

from .auth import admin_only, any_user
from .blueprint import bp
from .deliveries import _int_arg
from .errors import ApiError
from .openapi import documented, json_body, schema
from .validation import FieldErrors, json_object

PER_PAGE = 100
SUPPRESSION = schema("Suppression", {
    "type": "object",
    "required": ["email", "reason", "source", "since", "delivery_id", "campaign_id"],
    "properties": {
        "email": {"type": "string", "description": "Em minúsculas."},
        "reason": {"type": "string"},
        "source": {"type": "string", "enum": list(SUPPRESSION_SOURCES),
                   "description": "bounce (devolução), complaint (reclamação), manual ou import (arquivo)."},
        "since": {"type": "string", "format": "date-time"},
        "delivery_id": {"type": "integer", "nullable": True},
        "campaign_id": {"type": "integer", "nullable": True},
    },
})
SUPPRESSION_PAGE = schema("SuppressionPage", {
    "type": "object",
    "required": ["items", "page", "per_page", "total"],
    "properties": {"items": {"type": "array", "items": SUPPRESSION}, "page": {"type": "integer"},
                   "per_page": {"type": "integer"}, "total": {"type": "integer"}},
})
SUPPRESSION_CREATE = schema("SuppressionCreate", {
    "type": "object",
    "required": ["email"],
    "properties": {"email": {"type": "string", "format": "email", "maxLength": 254},
                   "reason": {"type": "string", "maxLength": 500}},
    "additionalProperties": False,
})


def suppression_json(row: Suppression) -> dict:
    return {"email": row.email, "reason": row.reason, "source": row.source, "since": iso(row.since),
            "delivery_id": row.delivery_id, "campaign_id": row.campaign_id}


@bp.get("/suppressions")
@documented("/suppressions", "get", summary="Endereços bloqueados (mais recentes primeiro)", tags=["Bloqueios"],
            parameters=[
                {"name": "email", "in": "query", "required": False, "description": "Parte do endereço",
                 "schema": {"type": "string", "maxLength": 254}},
                {"name": "page", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 10**9, "default": 1}},
            ],
            responses={"200": json_body(SUPPRESSION_PAGE), "400": {"$ref": "#/components/responses/BadRequest"}})
@any_user
def list_suppressions():
    email = request.args.get("email") or ""
    if len(email) > 254:
        raise ApiError(400, "Parâmetro 'email' com mais de 254 caracteres.")
    page = _int_arg("page", 1, 1, 10**9)
    query = suppression.search(email)
    total = db.session.execute(db.select(db.func.count()).select_from(query.order_by(None).subquery())).scalar()
    rows = db.session.execute(query.offset((page - 1) * PER_PAGE).limit(PER_PAGE)).scalars().all()
    return jsonify({"items": [suppression_json(r) for r in rows], "page": page, "per_page": PER_PAGE, "total": total})


@bp.post("/suppressions")
@documented("/suppressions", "post", summary="Bloquear um endereço (nenhuma mensagem será enviada para ele)",
            tags=["Bloqueios"],
            request_body={"required": True, "content": {"application/json": {"schema": SUPPRESSION_CREATE}}},
            responses={"201": json_body(SUPPRESSION, "Bloqueado"),
                       "400": {"$ref": "#/components/responses/BadRequest"},
                       "409": {"$ref": "#/components/responses/Conflict"},
                       "422": {"$ref": "#/components/responses/Unprocessable"}})
@admin_only
def create_suppression():
    data = json_object()
    errors = FieldErrors()
    unknown = sorted(set(data) - {"email", "reason"})
    for field in unknown:
        errors.add(field[:50], "Campo desconhecido.")
    raw, reason = data.get("email"), data.get("reason", "")
    address = valid_email(raw) if isinstance(raw, str) else None
    if address is None:
        errors.add("email", "E-mail inválido.")
    if not isinstance(reason, str) or len(reason) > 500:
        errors.add("reason", "Texto de até 500 caracteres.")
    elif has_control_characters(reason):
        errors.add("reason", CONTROL_MESSAGE)
    errors.raise_if_any()
    row = suppression.suppress(address, reason.strip() or "Bloqueado pela API", SOURCE_MANUAL)
    if row is None:
        raise ApiError(409, f"{address} já está bloqueado.", code="already_suppressed", details={"email": address})
    audit.record("suppression.add", details={"email": address, "reason": row.reason, "via": "api"}, user=g.api_user)
    db.session.commit()
    return jsonify(suppression_json(row)), 201


@bp.delete("/suppressions/<path:email>")
@documented("/suppressions/{email}", "delete", summary="Desbloquear um endereço", tags=["Bloqueios"],
            parameters=[{"name": "email", "in": "path", "required": True,
                         "schema": {"type": "string", "maxLength": 254}}],
            responses={"204": {"description": "Desbloqueado"}, "404": {"$ref": "#/components/responses/NotFound"}})
@admin_only
def delete_suppression(email: str):
    address = suppression.normalize(email)
    if len(address) > 254 or not suppression.unsuppress(address):
        raise ApiError(404, "Endereço não está bloqueado.", details={"email": address[:254]})
    audit.record("suppression.remove", details={"email": address, "via": "api"}, user=g.api_user)
    db.session.commit()
    return "", 204
