"""Campaign routes: /api/v1/campaigns (intake by multipart upload, status, list, cancel)."""
from __future__ import annotations

from datetime import date

from flask import g, jsonify, request

from app.campaigns.scheduling import ScheduleError, can_manage, cancel, check_moment, parse_iso, reschedule
from app.extensions import db
from app.intake.errors import DuplicateCampaign, IntakeRefused
from app.intake.service import ChoiceError, import_campaign, resolve_campaign_type, resolve_operation
from app.models import Campaign, Operation
from app.models.campaigns import CAMPAIGN_STATUSES
from app.timeutil import iso, now_utc

from .auth import any_user
from .blueprint import bp
from .errors import ApiError
from .openapi import OPERATION_CODE, documented, json_body, path_id, ref, schema
from .validation import FieldErrors, json_object

MAX_PAGE = 1_000_000  # far past any real list; keeps OFFSET inside the database's integers

ISSUE = schema("ImportIssue", {
    "type": "object",
    "required": ["line", "column", "reason"],
    "properties": {"line": {"type": "integer", "nullable": True}, "column": {"type": "string", "nullable": True},
                   "reason": {"type": "string"}},
})
CAMPAIGN = schema("Campaign", {
    "type": "object",
    "required": ["id", "operation", "campaign_type", "scheduled_at", "status", "records", "agreements",
                 "boletos_selected", "emails_sent", "emails_failed", "emails_pending", "emails_bounced",
                 "emails_suppressed", "created_by",
                 "created_at", "started_at", "finished_at"],
    "properties": {
        "id": {"type": "integer"},
        "operation": {"type": "string", "enum": ["CLARO", "NET", "SEMPARAR"]},
        "campaign_type": {"type": "string"},
        "scheduled_at": {"type": "string", "format": "date-time"},
        "campaign_day": {"type": "string", "format": "date"},
        "status": {"type": "string", "enum": list(CAMPAIGN_STATUSES)},
        "status_label": {"type": "string"},
        "status_reason": {"type": "string", "nullable": True},
        "records": {"type": "integer"},
        "emails_total": {"type": "integer"},
        "lines_rejected": {"type": "integer"},
        "agreements": {"type": "integer"},
        "boletos_selected": {"type": "integer"},
        "emails_sent": {"type": "integer"},
        "emails_failed": {"type": "integer"},
        "emails_pending": {"type": "integer"},
        "emails_bounced": {"type": "integer", "description": "Devolvidos depois de aceitos (saem de emails_sent)."},
        "emails_suppressed": {"type": "integer", "description": "Bloqueados: nada enviado, nenhuma cota gasta."},
        "source_filename": {"type": "string"},
        "created_by": {"type": "string", "nullable": True, "description": "E-mail de quem criou"},
        "created_at": {"type": "string", "format": "date-time"},
        "started_at": {"type": "string", "format": "date-time", "nullable": True},
        "finished_at": {"type": "string", "format": "date-time", "nullable": True},
    },
})
CAMPAIGN_CREATED = schema("CampaignCreated", {
    "allOf": [ref("Campaign"), {
        "type": "object", "required": ["import"],
        "properties": {"import": {
            "type": "object", "required": ["clients", "emails", "rejected", "warnings"],
            "properties": {"clients": {"type": "integer"}, "emails": {"type": "integer"},
                           "rejected": {"type": "array", "items": ISSUE},
                           "warnings": {"type": "array", "items": ISSUE}},
        }},
    }],
})
CAMPAIGN_PAGE = schema("CampaignPage", {
    "type": "object",
    "required": ["items", "page", "per_page", "total"],
    "properties": {"items": {"type": "array", "items": CAMPAIGN}, "page": {"type": "integer"},
                   "per_page": {"type": "integer"}, "total": {"type": "integer"}},
})
IMPORT_REFUSED = schema("ImportRefused", {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["code", "message", "details"],
        "properties": {
            "code": {"type": "string"}, "message": {"type": "string"},
            "details": {"type": "object", "description": "Linhas recusadas e avisos, ou erros por campo",
                        "properties": {"rejected": {"type": "array", "items": ISSUE},
                                       "warnings": {"type": "array", "items": ISSUE}},
                        "additionalProperties": {"type": "string"}},
        },
    }},
})


def campaign_json(campaign: Campaign) -> dict:
    """A campaign as the API (and the reports) show it."""
    return {
        "id": campaign.id,
        "operation": campaign.operation.code if campaign.operation else None,
        "campaign_type": campaign.campaign_type.name if campaign.campaign_type else None,
        "scheduled_at": iso(campaign.scheduled_at),
        "campaign_day": campaign.campaign_day.isoformat() if campaign.campaign_day else None,
        "status": campaign.status,
        "status_label": campaign.status_label,
        "status_reason": campaign.status_reason,
        "records": campaign.records,
        "emails_total": campaign.emails_total,
        "lines_rejected": campaign.lines_rejected,
        "agreements": campaign.agreements,
        "boletos_selected": campaign.boletos_selected,
        "emails_sent": campaign.emails_sent,
        "emails_failed": campaign.emails_failed,
        "emails_pending": campaign.emails_pending,
        "emails_bounced": campaign.emails_bounced,
        "emails_suppressed": campaign.emails_suppressed,
        "source_filename": campaign.source_filename or "",
        "created_by": campaign.created_by.email if campaign.created_by else None,
        "created_at": iso(campaign.created_at),
        "started_at": iso(campaign.started_at),
        "finished_at": iso(campaign.finished_at),
    }


def _get(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise ApiError(404, "Campanha não encontrada.")
    return campaign


_UNPROCESSABLE = {"$ref": "#/components/responses/Unprocessable"}
_MULTIPART = {"multipart/form-data": {"schema": {
    "type": "object", "required": ["operation", "campaign_type", "file"],
    "properties": {
        "operation": {"type": "string", "enum": ["CLARO", "NET", "SEMPARAR"]},
        "campaign_type": {"type": "string", "description": "Nome do tipo de campanha da operação"},
        "scheduled_at": {"type": "string", "format": "date-time",
                         "description": "ISO 8601; sem fuso, é lido no TIMEZONE; ausente = agora"},
        "file": {"type": "string", "format": "binary", "description": ".csv ou .xlsx"},
        "allow_duplicate": {"type": "string", "enum": ["true", "false"], "default": "false",
                            "description": "true: cadastra mesmo que outra campanha da operação, no mesmo dia e não "
                                           "cancelada, já tenha estes clientes (sem ele: 409 duplicate_campaign)"},
    },
}}}


@bp.post("/campaigns")
@documented("/campaigns", "post", summary="Cadastra uma campanha a partir de uma planilha", tags=["Campanhas"],
            request_body={"required": True, "content": _MULTIPART},
            responses={"201": json_body(CAMPAIGN_CREATED, "Campanha criada"),
                       "409": {"$ref": "#/components/responses/Conflict"},
                       "413": {"$ref": "#/components/responses/TooLarge"},
                       "422": json_body(IMPORT_REFUSED, "Nenhuma campanha criada: campos ou planilha inválidos")})
@any_user
def create_campaign():
    errors = FieldErrors()
    operation = campaign_type = moment = None
    try:
        operation = resolve_operation(request.form.get("operation"))
        campaign_type = resolve_campaign_type(operation, request.form.get("campaign_type"))
    except ChoiceError as exc:
        errors.add(exc.field, exc.message)
    raw_moment = (request.form.get("scheduled_at") or "").strip()
    try:
        moment = check_moment(parse_iso(raw_moment)) if raw_moment else now_utc()
    except ScheduleError as exc:
        errors.add("scheduled_at", str(exc))
    upload = request.files.get("file")
    if upload is None:
        errors.add("file", "Envie a planilha no campo 'file' (.csv ou .xlsx).")
    allow_duplicate = (request.form.get("allow_duplicate") or "false").strip().lower()
    if allow_duplicate not in ("true", "false"):
        errors.add("allow_duplicate", "Use true ou false.")
    errors.raise_if_any()
    try:
        result = import_campaign(operation=operation, campaign_type=campaign_type, scheduled_at=moment,
                                 stream=upload.stream, filename=upload.filename or "", user=g.api_user,
                                 allow_duplicate=allow_duplicate == "true")
    except DuplicateCampaign as exc:
        raise ApiError(409, exc.message, code="duplicate_campaign",
                       details={"campaign_id": exc.campaign_id, "campaign_day": exc.day.isoformat()})
    except IntakeRefused as exc:
        raise ApiError(422, exc.message, details={"rejected": [i.as_api() for i in exc.rejected],
                                                  "warnings": [i.as_api() for i in exc.warnings]})
    body = campaign_json(result.campaign)
    body["import"] = result.as_api()
    return jsonify(body), 201


@bp.get("/campaigns/<int:campaign_id>")
@documented("/campaigns/{campaign_id}", "get", summary="Uma campanha e seus contadores", tags=["Campanhas"],
            parameters=[path_id("campaign_id")],
            responses={"200": json_body(CAMPAIGN), "404": {"$ref": "#/components/responses/NotFound"}})
@any_user
def get_campaign(campaign_id: int):
    return jsonify(campaign_json(_get(campaign_id)))


def _query_param(name: str, description: str, schema_: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema_}


@bp.get("/campaigns")
@documented("/campaigns", "get", summary="Lista campanhas (filtros e paginação)", tags=["Campanhas"],
            parameters=[
                _query_param("date_from", "Data local de envio inicial (AAAA-MM-DD)", {"type": "string", "format": "date"}),
                _query_param("date_to", "Data local de envio final (AAAA-MM-DD)", {"type": "string", "format": "date"}),
                _query_param("operation", "CLARO, NET ou SEMPARAR", OPERATION_CODE),
                _query_param("status", "Situação", {"type": "string", "enum": list(CAMPAIGN_STATUSES)}),
                _query_param("page", "Página (a partir de 1)",
                             {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
                _query_param("per_page", "Itens por página (até 100)",
                             {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
            ],
            responses={"200": json_body(CAMPAIGN_PAGE), "422": _UNPROCESSABLE})
@any_user
def list_campaigns():
    args = request.args
    errors = FieldErrors()
    query = db.select(Campaign)
    for name, compare in (("date_from", Campaign.campaign_day.__ge__), ("date_to", Campaign.campaign_day.__le__)):
        if name in args:  # given but empty is an error, not "no filter": the API says what it read
            try:
                query = query.where(compare(date.fromisoformat(args[name])))
            except ValueError:
                errors.add(name, "Data inválida: use AAAA-MM-DD.")
    if "operation" in args:
        operation_id = db.session.execute(
            db.select(Operation.id).where(Operation.code == args["operation"].upper())).scalar()
        if operation_id is None:
            errors.add("operation", "Operação desconhecida: use CLARO, NET ou SEMPARAR.")
        query = query.where(Campaign.operation_id == operation_id)
    if "status" in args:
        if args["status"] not in CAMPAIGN_STATUSES:
            errors.add("status", "Situação desconhecida: use " + ", ".join(CAMPAIGN_STATUSES) + ".")
        query = query.where(Campaign.status == args["status"])
    page = _positive_int(args, "page", 1, errors, maximum=MAX_PAGE)
    per_page = _positive_int(args, "per_page", 20, errors, maximum=100)
    errors.raise_if_any()
    total = db.session.execute(db.select(db.func.count()).select_from(query.subquery())).scalar_one()
    campaigns = db.session.execute(
        query.order_by(Campaign.scheduled_at.desc(), Campaign.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).scalars().all()
    return jsonify(items=[campaign_json(c) for c in campaigns], page=page, per_page=per_page, total=total)


def _positive_int(args, name: str, default: int, errors: FieldErrors, maximum: int | None = None) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    # ASCII digits only ('²' passes isdigit() but not int()); bounded, or OFFSET overflows the database.
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1 or (maximum and int(raw) > maximum):
        errors.add(name, f"Número inteiro de 1 a {maximum}." if maximum else "Número inteiro a partir de 1.")
        return default
    return int(raw)


@bp.post("/campaigns/<int:campaign_id>/cancel")
@documented("/campaigns/{campaign_id}/cancel", "post", summary="Cancela uma campanha ainda não concluída",
            tags=["Campanhas"], parameters=[path_id("campaign_id")],
            responses={"200": json_body(CAMPAIGN), "404": {"$ref": "#/components/responses/NotFound"},
                       "409": {"$ref": "#/components/responses/Conflict"}})
@any_user
def cancel_campaign(campaign_id: int):
    campaign = _get(campaign_id)
    if not can_manage(g.api_user, campaign):
        raise ApiError(403, "Só quem criou a campanha ou um administrador pode cancelá-la.")
    if not cancel(campaign, user=g.api_user):
        raise ApiError(409, f"A campanha não pode ser cancelada: está {campaign.status_label.lower()}.")
    return jsonify(campaign_json(campaign))


RESCHEDULE = schema("CampaignReschedule", {
    "type": "object", "required": ["scheduled_at"],
    "properties": {"scheduled_at": {"type": "string", "format": "date-time",
                                    "description": "ISO 8601; sem fuso, é lido no TIMEZONE"}},
})


@bp.post("/campaigns/<int:campaign_id>/reschedule")
@documented("/campaigns/{campaign_id}/reschedule", "post", summary="Altera a data e hora de envio de uma campanha agendada",
            tags=["Campanhas"], parameters=[path_id("campaign_id")],
            request_body={"required": True, "content": {"application/json": {"schema": RESCHEDULE}}},
            responses={"200": json_body(CAMPAIGN), "400": {"$ref": "#/components/responses/BadRequest"},
                       "404": {"$ref": "#/components/responses/NotFound"},
                       "409": {"$ref": "#/components/responses/Conflict"}, "422": _UNPROCESSABLE})
@any_user
def reschedule_campaign(campaign_id: int):
    campaign = _get(campaign_id)
    if not can_manage(g.api_user, campaign):
        raise ApiError(403, "Só quem criou a campanha ou um administrador pode alterar a data.")
    data = json_object()
    try:
        moment = check_moment(parse_iso(str(data.get("scheduled_at") or "")))
    except ScheduleError as exc:
        raise ApiError(422, "Dados inválidos.", details={"scheduled_at": str(exc)})
    if not reschedule(campaign, moment, user=g.api_user):
        raise ApiError(409, f"A data não pode mais ser alterada: a campanha está {campaign.status_label.lower()}.")
    return jsonify(campaign_json(campaign))
