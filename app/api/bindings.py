"""Admin routes for operation bindings: /api/v1/bindings."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import g, jsonify

from app.campaigns.sending import resume_after_rebinding
from app.extensions import db
from app.mailer.bindings import binding_of, set_binding
from app.models import EmailService, Operation

from .auth import admin_only
from .blueprint import bp
from .errors import ApiError
from .openapi import documented, json_body, schema
from .validation import FieldErrors, json_object

BINDING = schema("Binding", {
    "type": "object",
    "required": ["operation", "sender_email", "service"],
    "properties": {
        "operation": {"type": "string"},
        "sender_email": {"type": "string", "nullable": True},
        "service": {"type": "string", "nullable": True},
    },
})
BINDING_WRITE = schema("BindingWrite", {
    "type": "object",
    "required": ["sender_email", "service"],
    "properties": {"sender_email": {"type": "string", "format": "email"}, "service": {"type": "string"}},
})


def binding_json(operation: Operation) -> dict:
    binding = binding_of(operation.id)
    return {
        "operation": operation.code,
        "sender_email": binding.sender_email if binding else None,
        "service": binding.service.name if binding and binding.service else None,
    }


@bp.get("/bindings")
@documented("/bindings", "get", summary="Serviço de envio de cada operação", tags=["Serviços"],
            responses={"200": json_body({"type": "array", "items": BINDING})})
@admin_only
def list_bindings():
    operations = db.session.execute(db.select(Operation).order_by(Operation.code)).scalars()
    return jsonify([binding_json(op) for op in operations])


@bp.put("/bindings/<operation_code>")
@documented("/bindings/{operation_code}", "put", summary="Altera o serviço de envio de uma operação", tags=["Serviços"],
            parameters=[{"name": "operation_code", "in": "path", "required": True, "schema": {"type": "string"}}],
            request_body={"required": True, "content": {"application/json": {"schema": BINDING_WRITE}}},
            responses={"200": json_body(BINDING), "400": {"$ref": "#/components/responses/BadRequest"},
                       "404": {"$ref": "#/components/responses/NotFound"},
                       "422": {"$ref": "#/components/responses/Unprocessable"}})
@admin_only
def put_binding(operation_code: str):
    operation = db.session.execute(db.select(Operation).where(Operation.code == operation_code.upper())).scalar_one_or_none()
    if operation is None:
        raise ApiError(404, "Operação não encontrada.")
    data = json_object()
    errors = FieldErrors()
    sender = data.get("sender_email")
    service_name = data.get("service")
    service = None
    if not isinstance(sender, str):
        errors.add("sender_email", "Campo obrigatório: e-mail remetente.")
    else:
        try:
            sender = validate_email(sender, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            errors.add("sender_email", "E-mail remetente inválido.")
    if not isinstance(service_name, str) or not service_name.strip():
        errors.add("service", "Campo obrigatório: nome do serviço.")
    else:
        service = db.session.execute(db.select(EmailService).where(EmailService.name == service_name.strip())).scalar_one_or_none()
        if service is None:
            errors.add("service", "Serviço não encontrado.")
    errors.raise_if_any()
    set_binding(operation, sender, service, user=g.api_user)
    resume_after_rebinding(operation.id)
    return jsonify(binding_json(operation))
