"""History of service changes: GET /api/v1/rotations."""
from __future__ import annotations

from flask import jsonify, request

from app.extensions import db
from app.models import Operation, Rotation
from app.timeutil import iso

from .auth import any_user
from .blueprint import bp
from .deliveries import _int_arg
from .errors import ApiError
from .openapi import OPERATION_CODE, documented, json_body, schema

ROTATION = schema("Rotation", {
    "type": "object",
    "required": ["id", "at", "operation", "from_service", "to_service", "kind", "reason", "user"],
    "properties": {
        "id": {"type": "integer"},
        "at": {"type": "string", "format": "date-time"},
        "operation": {"type": "string"},
        "from_service": {"type": "string", "nullable": True},
        "to_service": {"type": "string", "nullable": True},
        "kind": {"type": "string", "enum": ["automatic", "manual"]},
        "reason": {"type": "string"},
        "user": {"type": "string", "nullable": True, "description": "E-mail de quem alterou; nulo quando foi o sistema."},
        "campaign_id": {"type": "integer", "nullable": True},
    },
})


def rotation_json(r: Rotation) -> dict:
    return {
        "id": r.id, "at": iso(r.created_at), "operation": r.operation.code if r.operation else None,
        "from_service": r.from_service.name if r.from_service else None,
        "to_service": r.to_service.name if r.to_service else None,
        "kind": r.kind, "reason": r.reason, "user": r.user.email if r.user else None, "campaign_id": r.campaign_id,
    }


@bp.get("/rotations")
@documented("/rotations", "get", summary="Histórico de trocas de serviço de envio (mais recentes primeiro)",
            tags=["Serviços"],
            parameters=[
                {"name": "operation", "in": "query", "required": False, "schema": OPERATION_CODE,
                 "description": "Código da operação (CLARO, NET, SEMPARAR)"},
                {"name": "limit", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}},
            ],
            responses={"200": json_body({"type": "array", "items": ROTATION}),
                       "400": {"$ref": "#/components/responses/BadRequest"}})
@any_user
def list_rotations():
    limit = _int_arg("limit", 100, 1, 500)
    query = db.select(Rotation).order_by(Rotation.created_at.desc(), Rotation.id.desc()).limit(limit)
    code = request.args.get("operation")
    if code is not None:  # given but empty is an unknown operation, not "all"
        operation = db.session.execute(db.select(Operation).where(Operation.code == code.upper())).scalar_one_or_none()
        if operation is None:
            raise ApiError(400, "Operação desconhecida.", details={"operation": code[:50]})
        query = query.where(Rotation.operation_id == operation.id)
    return jsonify([rotation_json(r) for r in db.session.execute(query).scalars()])
