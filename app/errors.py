"""Error pages in pt-BR for people, JSON errors under /api."""
from __future__ import annotations

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.api.errors import api_error_response
from app.extensions import db

MESSAGES = {
    400: "Requisição inválida.",
    403: "Você não tem permissão para acessar esta página.",
    404: "Página não encontrada.",
    405: "Método não permitido.",
    413: "Arquivo grande demais.",
    429: "Muitas tentativas. Aguarde e tente novamente.",
    500: "Erro interno. A equipe foi avisada.",
}
CSRF_MESSAGE = "Formulário expirado ou inválido (proteção CSRF). Recarregue a página e tente de novo."


def wants_json() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if wants_json():
            return api_error_response(exc)
        if exc.code == 413:
            limit = app.config["MAX_UPLOAD_MB"]
            message = f"O arquivo passa do limite de {limit} MB. Divida a planilha e envie em partes."
        elif isinstance(exc, CSRFError):  # say what to do, not just "invalid request"
            message = CSRF_MESSAGE
        else:
            message = MESSAGES.get(exc.code or 500, exc.description)
        return render_template("errors/error.html", code=exc.code, message=message), exc.code

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)

        db.session.rollback()
        if wants_json():

            return api_error_response(InternalServerError())
        return render_template("errors/error.html", code=500, message=MESSAGES[500]), 500
