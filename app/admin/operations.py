"""Operações (Tipos de Campanha live in campaign_types.py)."""
from __future__ import annotations

from markupsafe import Markup

from .base import SecureModelView
from .fields import write_only_password

ENV_BADGE = Markup(' <span class="badge badge-info" title="Definido pela variável de ambiente">ambiente</span>')


def _url_column(view, context, model, name):
    url = model.effective_provider_url or ""
    return Markup("{}{}").format(url, ENV_BADGE if model.provider_url_from_env else "")


def _token_column(view, context, model, name):
    if model.provider_token_from_env:
        return Markup("definido{}").format(ENV_BADGE)
    return "definido" if model.provider_token_encrypted else "não definido"


class OperationView(SecureModelView):
    can_delete = False
    column_list = ("code", "name", "provider_url", "provider_token", "active")
    column_labels = {
        "code": "Código",
        "name": "Nome",
        "provider_url": "URL da API do credor",
        "provider_token": "Token da API",
        "active": "Ativa",
    }
    column_formatters = {"provider_url": _url_column, "provider_token": _token_column}
    form_columns = ("code", "name", "provider_url", "provider_token", "active")
    form_extra_fields = {"provider_token": write_only_password("Token da API")}
    form_args = {
        "provider_url": {
            "description": "PROVIDER_<CÓDIGO>_URL no ambiente, quando definida, tem prioridade sobre este valor.",
        }
    }

    def on_model_change(self, form, model, is_created):
        model.code = (model.code or "").strip().upper()
        if form.provider_token.data:
            model.set_provider_token(form.provider_token.data)
