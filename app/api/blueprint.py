"""The API's blueprint, its error handler and the OpenAPI document's own route; route modules register on `bp`."""
from __future__ import annotations

from flask import Blueprint, jsonify

from app.extensions import csrf

from .errors import ApiError, error_json
from .openapi import document, documented

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, no cookies: CSRF does not apply


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return error_json(exc.status, exc.code, exc.message, exc.details)


@bp.get("/openapi.json")
@documented("/openapi.json", "get", summary="Este documento", auth=False,
            responses={"200": {"description": "Documento OpenAPI 3", "content": {"application/json": {"schema": {"type": "object"}}}}})
def openapi_json():
    return jsonify(document())
