"""Small request-body checks that answer 422 with per-field messages."""
from __future__ import annotations

from flask import request

from .errors import ApiError


def json_object() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "O corpo da requisição deve ser um objeto JSON.")
    return data


class FieldErrors:
    def __init__(self):
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ApiError(422, "Dados inválidos.", details=self.errors)
