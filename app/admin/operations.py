"""Operações (Tipos de Campanha live in campaign_types.py)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, url_for
from flask_admin import expose
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app import audit
from app.extensions import db
from app.models import Operation
from app.providers.client import ProviderClient, ProviderSettings

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


def _test_connection_column(view, context, model, name):
    # A plain POST form with the app-wide CSRF token (CSRFProtect guards every POST).
    return Markup(
        '<form method="post" action="{}" class="d-inline">'
        '<input type="hidden" name="csrf_token" value="{}">'
        '<button type="submit" class="btn btn-sm btn-outline-secondary">Testar conexão</button></form>'
    ).format(url_for(".test_connection_view", operation_id=model.id), generate_csrf())


class OperationView(SecureModelView):
    can_delete = False
    column_list = ("code", "name", "provider_url", "provider_token", "active", "test_connection")
    column_labels = {
        "code": "Código",
        "name": "Nome",
        "provider_url": "URL da API do credor",
        "provider_token": "Token da API",
        "active": "Ativa",
        "test_connection": "Conexão",
        "rotate_when_throttled": "Trocar de serviço quando o servidor limitar o ritmo",
    }
    column_formatters = {"provider_url": _url_column, "provider_token": _token_column,
                         "test_connection": _test_connection_column}
    form_columns = ("code", "name", "provider_url", "provider_token", "active", "rotate_when_throttled")
    form_extra_fields = {"provider_token": write_only_password("Token da API")}
    form_args = {
        "provider_url": {
            "description": "PROVIDER_<CÓDIGO>_URL no ambiente, quando definida, tem prioridade sobre este valor.",
        },
        "rotate_when_throttled": {
            "description": "Quando um servidor SMTP pede para reduzir o ritmo (\"too much mail\"), o padrão é esperar e "
                           "seguir mais devagar no mesmo serviço (a cota é a do mesmo mês). Marque para passar esta "
                           "operação ao próximo serviço do rodízio.",
        },
    }

    @expose("/testar-conexao/<int:operation_id>", methods=("POST",))
    def test_connection_view(self, operation_id: int):
        """Call the operation's provider with a harmless CPF and flash the result (pt-BR)."""

        op = db.session.get(Operation, operation_id)
        if op is None:
            abort(404)
        settings = ProviderSettings.for_operation(op, current_app.config)
        if not settings.base_url:
            flash(f"{op.name}: URL da API não configurada.", "error")
            return redirect(url_for(".index_view"))
        client = ProviderClient(settings)
        try:
            ok, message = client.check_connection()
        finally:
            client.close()
        flash(f"{op.name}: {message}", "success" if ok else "error")
        audit.record("operation.test_connection", target=op, details={"ok": ok})
        db.session.commit()
        return redirect(url_for(".index_view"))

    def on_model_change(self, form, model, is_created):
        model.code = (model.code or "").strip().upper()
        if form.provider_token.data:
            model.set_provider_token(form.provider_token.data)
