"""The JSON API under /api/v1 (bearer tokens, JSON errors, OpenAPI document)."""
from __future__ import annotations

# Each route module registers its routes on `bp` when imported.
from . import bindings, campaigns, deliveries, rotations, services, suppressions  # noqa: F401
from .blueprint import bp


def init_api(app) -> None:
    app.register_blueprint(bp)
