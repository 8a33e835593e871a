"""The OpenAPI 3 document of /api/v1, assembled from the routes themselves.

Each route declares its operation with `@documented(...)` next to its code,
so the document cannot silently fall behind: a test checks that every rule
under /api/v1 appears here.
"""
from __future__ import annotations

import copy

PATHS: dict[str, dict[str, dict]] = {}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {},
            },
        }
    },
}

COMPONENTS: dict = {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "schemas": {"Error": ERROR_SCHEMA},
    "responses": {
        name: {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for name, text in {
            "BadRequest": "Requisição inválida",
            "Unauthorized": "Token ausente ou inválido",
            "Forbidden": "Perfil sem acesso",
            "NotFound": "Não encontrado",
            "Conflict": "Conflito com o estado atual",
            "Unprocessable": "Dados inválidos",
            "TooLarge": "Acima do limite",
        }.items()
    },
}


def schema(name: str, definition: dict) -> dict:
    """Register a component schema and return a $ref to it."""
    COMPONENTS["schemas"][name] = definition
    return ref(name)


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_body(schema_: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema_}}}


def documented(path: str, method: str, *, summary: str, responses: dict, parameters: list | None = None,
               request_body: dict | None = None, auth: bool = True, tags: list[str] | None = None):
    """Record one operation of the document. `path` is in OpenAPI form ('/services/{id}')."""

    def decorator(view):
        operation: dict = {"summary": summary, "operationId": view.__name__, "responses": dict(responses)}
        if tags:
            operation["tags"] = tags
        if parameters:
            operation["parameters"] = parameters
        if request_body:
            operation["requestBody"] = request_body
        if auth:
            operation["security"] = [{"bearer": []}]
            operation["responses"].setdefault("401", {"$ref": "#/components/responses/Unauthorized"})
            operation["responses"].setdefault("403", {"$ref": "#/components/responses/Forbidden"})
        PATHS.setdefault(path, {})[method.lower()] = operation
        return view

    return decorator


# An operation code as the API reads it: CLARO, NET or SEMPARAR, in any letter case.
OPERATION_CODE = {"type": "string", "pattern": "^([Cc][Ll][Aa][Rr][Oo]|[Nn][Ee][Tt]|[Ss][Ee][Mm][Pp][Aa][Rr][Aa][Rr])$"}


def path_id(name: str = "id", description: str = "Identificador") -> dict:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}}


def document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Preventivo API",
            "version": "1",
            "description": "Campanhas preventivas de envio de boletos. Autenticação: 'Authorization: Bearer <token>' "
            "(gere com 'flask users token EMAIL').",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": copy.deepcopy(PATHS),
        "components": copy.deepcopy(COMPONENTS),
    }
