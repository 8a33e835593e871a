"""Admin routes for SMTP services: /api/v1/services."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import g, jsonify

from app import audit
from app.extensions import db
from app.mailer.quota import usage
from app.mailer.registry import deletion_blockers, deletion_refusal
from app.models import EmailService
from app.models.mailer import SECURITY_CHOICES
from app.security.text import CONTROL_MESSAGE, has_control_characters
from app.timeutil import iso

from .auth import admin_only
from .blueprint import bp
from .errors import ApiError
from .openapi import documented, json_body, path_id, ref, schema
from .validation import FieldErrors, json_object

SERVICE_FIELDS = {
    "name": {"type": "string", "minLength": 1, "maxLength": 80, "pattern": r"\S"},
    "host": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"\S"},
    "port": {"type": "integer", "minimum": 1, "maximum": 65535},
    "security": {"type": "string", "enum": list(SECURITY_CHOICES)},
    "username": {"type": "string", "maxLength": 255},
    "monthly_quota": {"type": "integer", "minimum": 0},
    "max_connections": {"type": "integer", "minimum": 1, "maximum": 100,
                        "description": "Sessões SMTP abertas ao mesmo tempo, somando todos os workers (padrão 10)"},
    "max_per_minute": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1,
                       "description": "Mensagens por minuto, somando todos os workers; 0 = sem limite"},
    "rotation_order": {"type": "integer"},
    "in_rotation": {"type": "boolean"},
    "active": {"type": "boolean"},
    "allowed_senders": {"type": "array", "items": {"type": "string", "format": "email"}},
}
SERVICE_STATE = {
    "usage": {
        "type": "object",
        "description": "Mensagens aceitas no mês corrente (TIMEZONE) e a cota.",
        "required": ["month", "sent", "quota", "exhausted"],
        "properties": {"month": {"type": "string", "example": "2026-11"}, "sent": {"type": "integer"},
                       "quota": {"type": "integer"}, "exhausted": {"type": "boolean"}},
    },
    "broken": {"type": "boolean", "description": "Marcado com defeito (autenticação, TLS ou remetente recusado)."},
    "broken_reason": {"type": "string", "nullable": True},
    "health": {"type": "string", "enum": ["ok", "unreachable", "broken"],
               "description": "ok; unreachable: sem conexão (o servidor não responde); broken: com defeito."},
    "health_reason": {"type": "string", "nullable": True, "description": "Por quê, em português, com a resposta do "
                                                                         "servidor entre colchetes."},
    "health_since": {"type": "string", "format": "date-time", "nullable": True},
}
SERVICE = schema("Service", {
    "type": "object",
    "properties": {"id": {"type": "integer"}, **SERVICE_FIELDS, **SERVICE_STATE},
    "required": ["id", *SERVICE_FIELDS, "usage", "broken", "health"],
})
SERVICE_WRITE = schema("ServiceWrite", {
    "type": "object",
    "properties": {**SERVICE_FIELDS, "password": {"type": "string", "writeOnly": True, "nullable": True}},
    "additionalProperties": False,
})
SERVICE_CREATE = schema("ServiceCreate", {
    "allOf": [ref("ServiceWrite"), {"type": "object", "required": ["name", "host"]}],
})


def service_json(service: EmailService) -> dict:
    """A service as the API shows it. The password is never part of it."""
    data = {
        "id": service.id,
        "name": service.name,
        "host": service.host,
        "port": service.port,
        "security": service.security,
        "username": service.username or "",
        "monthly_quota": service.monthly_quota,
        "max_connections": service.max_connections,
        "max_per_minute": service.max_per_minute,
        "rotation_order": service.rotation_order,
        "in_rotation": service.in_rotation,
        "active": service.active,
        "allowed_senders": service.allowed_senders_list,
        "usage": usage(service).as_json(),
        "broken": service.broken_at is not None,
        "broken_reason": service.broken_reason if service.broken_at else None,
        "health": service.health,
        "health_reason": service.health_reason,
        "health_since": iso(service.health_since),
    }
    return data


class _Fields:
    """Reads a service's JSON fields, collecting every error (pt-BR) before any is raised."""

    def __init__(self, data: dict):
        self.data = data
        self.errors = FieldErrors()

    def text(self, field: str, max_len: int, required: bool = True) -> str | None:
        value = self.data[field]
        if not isinstance(value, str) or (required and not value.strip()) or len(value) > max_len:
            self.errors.add(field, f"Texto de 1 a {max_len} caracteres." if required else f"Texto de até {max_len} caracteres.")
            return None
        if has_control_characters(value):  # names reach email headers: a line break would inject one
            self.errors.add(field, CONTROL_MESSAGE)
            return None
        return value.strip()

    def integer(self, field: str, low: int, high: int) -> int | None:
        value = self.data[field]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.errors.add(field, "Número inteiro fora do intervalo permitido.")
            return None
        return value

    def boolean(self, field: str) -> bool | None:
        value = self.data[field]
        if not isinstance(value, bool):
            self.errors.add(field, "Use true ou false.")
            return None
        return value

    def security(self, field: str) -> str | None:
        if self.data[field] not in SECURITY_CHOICES:
            self.errors.add(field, "Use starttls, ssl ou none.")
            return None
        return self.data[field]

    def senders(self, field: str) -> list[str] | None:
        senders = self.data[field]
        if not isinstance(senders, list) or not all(isinstance(s, str) for s in senders):
            self.errors.add(field, "Lista de endereços de e-mail.")
            return None
        clean = []
        for sender in senders:
            try:
                clean.append(validate_email(sender, check_deliverability=False).normalized.lower())
            except EmailNotValidError:
                self.errors.add(field, f"Endereço inválido: {sender[:100]}")
        return clean


INT32 = 2**31 - 1
# field -> (model attribute, how to read it)
_READERS = {
    "name": ("name", lambda f: f.text("name", 80)),
    "host": ("host", lambda f: f.text("host", 255)),
    "username": ("username", lambda f: f.text("username", 255, required=False)),
    "port": ("port", lambda f: f.integer("port", 1, 65535)),
    "monthly_quota": ("monthly_quota", lambda f: f.integer("monthly_quota", 0, INT32)),
    "max_connections": ("max_connections", lambda f: f.integer("max_connections", 1, 100)),
    "max_per_minute": ("max_per_minute", lambda f: f.integer("max_per_minute", 0, INT32)),
    "rotation_order": ("rotation_order", lambda f: f.integer("rotation_order", -INT32 - 1, INT32)),
    "in_rotation": ("in_rotation", lambda f: f.boolean("in_rotation")),
    "active": ("active", lambda f: f.boolean("active")),
    "security": ("security", lambda f: f.security("security")),
    "allowed_senders": ("allowed_senders_list", lambda f: f.senders("allowed_senders")),
}


def _read(data: dict, creating: bool) -> dict:
    """The model values the JSON asks for; raises 422 with every field's error."""
    fields = _Fields(data)
    for field in sorted(set(data) - set(SERVICE_FIELDS) - {"password"}):
        fields.errors.add(field, "Campo desconhecido.")
    if creating:
        for field in ("name", "host"):
            if field not in data:
                fields.errors.add(field, "Campo obrigatório.")
    values = {attribute: read(fields) for field, (attribute, read) in _READERS.items() if field in data}
    if "password" in data and data["password"] is not None and not isinstance(data["password"], str):
        fields.errors.add("password", "Texto.")
    fields.errors.raise_if_any()
    return values


def _apply(service: EmailService, data: dict, creating: bool) -> None:
    values = _read(data, creating)
    if values.get("name"):
        clash = db.session.execute(db.select(EmailService.id).where(EmailService.name == values["name"])).scalar()
        if clash is not None and clash != service.id:
            # Valid data that clashes with the current state: a conflict, not a validation error.
            raise ApiError(409, "Já existe um serviço com este nome.", details={"name": "Já existe um serviço com este nome."})
    for attribute, value in values.items():
        setattr(service, attribute, value)
    new_password = isinstance(data.get("password"), str) and bool(data["password"])
    if new_password:
        service.set_password(data["password"])
    service.forget_defect_if_reconfigured(new_password)


def _get(service_id: int) -> EmailService:
    service = db.session.get(EmailService, service_id)
    if service is None:
        raise ApiError(404, "Serviço não encontrado.")
    return service


@bp.get("/services")
@documented("/services", "get", summary="Lista os serviços de envio", tags=["Serviços"],
            responses={"200": json_body({"type": "array", "items": SERVICE})})
@admin_only
def list_services():
    services = db.session.execute(db.select(EmailService).order_by(EmailService.rotation_order, EmailService.id)).scalars()
    return jsonify([service_json(s) for s in services])


@bp.post("/services")
@documented("/services", "post", summary="Cria um serviço de envio", tags=["Serviços"],
            request_body={"required": True, "content": {"application/json": {"schema": SERVICE_CREATE}}},
            responses={"201": json_body(SERVICE, "Criado"), "400": {"$ref": "#/components/responses/BadRequest"},
                       "409": {"$ref": "#/components/responses/Conflict"},
                       "422": {"$ref": "#/components/responses/Unprocessable"}})
@admin_only
def create_service():
    data = json_object()
    service = EmailService(port=587, security="starttls", username="", monthly_quota=1000, rotation_order=100,
                           in_rotation=True, active=True, allowed_senders="")
    _apply(service, data, creating=True)
    db.session.add(service)
    db.session.flush()
    audit.record("emailservice.create", target=service, user=g.api_user, details={"fields": sorted(data)})
    db.session.commit()
    return jsonify(service_json(service)), 201


@bp.get("/services/<int:service_id>")
@documented("/services/{service_id}", "get", summary="Um serviço de envio", tags=["Serviços"],
            parameters=[path_id("service_id")],
            responses={"200": json_body(SERVICE), "404": {"$ref": "#/components/responses/NotFound"}})
@admin_only
def get_service(service_id: int):
    return jsonify(service_json(_get(service_id)))


@bp.patch("/services/<int:service_id>")
@documented("/services/{service_id}", "patch", summary="Altera um serviço de envio", tags=["Serviços"],
            parameters=[path_id("service_id")],
            request_body={"required": True, "content": {"application/json": {"schema": SERVICE_WRITE}}},
            responses={"200": json_body(SERVICE), "400": {"$ref": "#/components/responses/BadRequest"},
                       "404": {"$ref": "#/components/responses/NotFound"},
                       "409": {"$ref": "#/components/responses/Conflict"},
                       "422": {"$ref": "#/components/responses/Unprocessable"}})
@admin_only
def update_service(service_id: int):
    service = _get(service_id)
    data = json_object()
    _apply(service, data, creating=False)
    audit.record("emailservice.update", target=service, user=g.api_user, details={"fields": sorted(data)})
    db.session.commit()
    return jsonify(service_json(service))


@bp.delete("/services/<int:service_id>")
@documented("/services/{service_id}", "delete", summary="Remove um serviço de envio", tags=["Serviços"],
            parameters=[path_id("service_id")],
            responses={"204": {"description": "Removido"}, "404": {"$ref": "#/components/responses/NotFound"},
                       "409": {"$ref": "#/components/responses/Conflict"}})
@admin_only
def delete_service(service_id: int):
    service = _get(service_id)
    blockers = deletion_blockers(service)
    if blockers:
        # Deactivate instead: PATCH {"active": false}.
        raise ApiError(409, deletion_refusal(service), code="service_in_use",
                       details={"reasons": blockers, "instead": {"active": False}})
    audit.record("emailservice.delete", target=service, user=g.api_user, details={"name": service.name})
    db.session.delete(service)
    db.session.commit()
    return "", 204
