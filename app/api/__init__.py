"""The JSON API under /api/v1 (bearer tokens, JSON errors, OpenAPI document)."""
from __future__ import annotations

from flask import Blueprint, jsonify

from app.extensions import csrf

from .errors import ApiError, error_json
from .openapi import documented

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, no cookies: CSRF does not apply


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return error_json(exc.status, exc.code, exc.message, exc.details)


@bp.get("/openapi.json")
@documented("/openapi.json", "get", summary="Este documento", auth=False,
            responses={"200": {"description": "Documento OpenAPI 3", "content": {"application/json": {"schema": {"type": "object"}}}}})
def openapi_json():
    from .openapi import document

    return jsonify(document())


def init_api(app) -> None:
    # Route modules register on `bp` when imported; import them before registering.
    from . import bindings, services  # noqa: F401

    for module in _extra_route_modules():
        __import__(module)
    app.register_blueprint(bp)


def _extra_route_modules() -> list[str]:
    """Route modules of later capabilities (campaigns, deliveries, rotations...)."""
    import importlib.util

    candidates = ["app.api.campaigns", "app.api.deliveries", "app.api.rotations", "app.api.reports"]
    return [m for m in candidates if importlib.util.find_spec(m) is not None]
