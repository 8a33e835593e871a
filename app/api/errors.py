"""One error shape for the whole API: {"error": {"code", "message", "details"}}."""
from __future__ import annotations

from flask import current_app, jsonify
from werkzeug.exceptions import HTTPException

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable_entity",
    429: "too_many_requests",
    500: "internal_error",
}
MESSAGES = {
    400: "Requisição inválida.",
    401: "Autenticação necessária.",
    403: "Sem permissão para este recurso.",
    404: "Recurso não encontrado.",
    405: "Método não permitido.",
    413: "Arquivo acima do limite de tamanho.",
    500: "Erro interno.",
}


class ApiError(Exception):
    """Raise from a route to answer with the API's error shape."""

    def __init__(self, status: int, message: str, code: str | None = None, details=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or CODES.get(status, "error")
        self.details = details


def error_json(status: int, code: str, message: str, details=None):
    response = jsonify(error={"code": code, "message": message, "details": details if details is not None else {}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="preventivo"'
    return response


def api_error_response(exc: HTTPException):
    status = exc.code or 500
    if status == 413:
        message = f"Arquivo acima do limite de {current_app.config['MAX_UPLOAD_MB']} MB."
    else:
        message = MESSAGES.get(status, exc.description or "Erro.")
    response = error_json(status, CODES.get(status, "error"), message)
    # A 405 must say which methods the resource accepts (RFC 9110 `Allow`); werkzeug's exception carries it.
    for name, value in exc.get_headers():
        if name.lower() == "allow":
            response.headers["Allow"] = value
    return response
