"""Operações and Tipos de Campanha."""
from __future__ import annotations

from flask import current_app, flash
from flask_admin.actions import action
from markupsafe import Markup
from wtforms import TextAreaField, ValidationError

from app.models.operations import parse_offsets

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

    @action("test_connection", "Testar conexão",
            "Chamar a API do credor das operações selecionadas com um CPF de teste?")
    def action_test_connection(self, ids):
        """Call each selected operation's provider with a harmless CPF and flash the result (pt-BR)."""
        from app import audit
        from app.extensions import db
        from app.models import Operation
        from app.providers.client import ProviderClient, ProviderSettings

        for op in db.session.execute(db.select(Operation).where(Operation.id.in_([int(i) for i in ids]))).scalars():
            settings = ProviderSettings.for_operation(op, current_app.config)
            if not settings.base_url:
                flash(f"{op.name}: URL da API não configurada.", "error")
                continue
            client = ProviderClient(settings)
            try:
                ok, message = client.check_connection()
            finally:
                client.close()
            flash(f"{op.name}: {message}", "success" if ok else "error")
            audit.record("operation.test_connection", target=op, details={"ok": ok})
        db.session.commit()

    def on_model_change(self, form, model, is_created):
        model.code = (model.code or "").strip().upper()
        if form.provider_token.data:
            model.set_provider_token(form.provider_token.data)


def _validate_offsets(form, field):
    try:
        field.data = ",".join(str(v) for v in parse_offsets(field.data))
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


class CampaignTypeView(SecureModelView):
    column_list = ("operation", "name", "day_offsets", "active")
    column_filters = ("operation.code", "active")
    column_searchable_list = ("name",)
    column_labels = {
        "operation": "Operação",
        "operation.code": "Operação",
        "name": "Nome",
        "day_offsets": "Dias de vencimento (D+k)",
        "subject_template": "Assunto do e-mail",
        "body_html_template": "Corpo HTML",
        "body_text_template": "Corpo em texto",
        "active": "Ativa",
    }
    form_columns = ("operation", "name", "day_offsets", "subject_template", "body_html_template", "body_text_template", "active")
    form_overrides = {"body_html_template": TextAreaField, "body_text_template": TextAreaField}
    form_args = {
        "day_offsets": {
            "validators": [_validate_offsets],
            "description": "Boletos que vencem no dia da campanha mais estes dias, separados por vírgula. Padrão: 0,7.",
        },
        "body_html_template": {"render_kw": {"rows": 12}},
        "body_text_template": {"render_kw": {"rows": 8}},
    }
