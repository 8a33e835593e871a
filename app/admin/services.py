"""Cadastro Serviços: SMTP accounts. Passwords are write-only and encrypted."""
from __future__ import annotations

from flask_admin.form import rules
from markupsafe import Markup, escape
from wtforms import SelectField, TextAreaField, validators

from app.models.mailer import SECURITY_CHOICES, SECURITY_LABELS

from .base import SecureModelView
from .fields import write_only_password


class EmailServiceView(SecureModelView):
    column_list = ("rotation_order", "name", "host", "port", "security", "username", "monthly_quota", "in_rotation", "active", "broken_at")
    column_default_sort = ("rotation_order", False)
    column_searchable_list = ("name", "host", "username")
    column_sortable_list = ("rotation_order", "name", "host", "monthly_quota", "in_rotation", "active")
    column_labels = {
        "name": "Nome",
        "host": "Servidor SMTP",
        "port": "Porta",
        "security": "Segurança",
        "username": "Usuário",
        "monthly_quota": "Cota mensal",
        "rotation_order": "Ordem",
        "in_rotation": "Em rodízio",
        "active": "Ativo",
        "allowed_senders": "Remetentes permitidos",
        "broken_at": "Com defeito",
        "password": "Senha",
    }
    column_formatters = {
        "security": lambda v, c, m, p: SECURITY_LABELS.get(m.security, m.security),
        "broken_at": lambda v, c, m, p: Markup('<span class="badge badge-danger">com defeito</span>') if m.broken_at else "",
    }
    form_columns = ("name", "host", "port", "security", "username", "password", "monthly_quota", "rotation_order", "in_rotation", "active", "allowed_senders")
    form_excluded_columns = ("password_encrypted", "usages", "broken_at", "broken_reason", "created_at")
    form_overrides = {"security": SelectField, "allowed_senders": TextAreaField}
    form_args = {
        "security": {"choices": [(c, SECURITY_LABELS[c]) for c in SECURITY_CHOICES], "label": "Segurança"},
        "monthly_quota": {"validators": [validators.InputRequired(), validators.NumberRange(min=0)]},
        "port": {"validators": [validators.InputRequired(), validators.NumberRange(min=1, max=65535)]},
        "allowed_senders": {
            "description": "Opcional. Um endereço por linha; vazio permite qualquer remetente.",
        },
        "in_rotation": {"description": "Fora do rodízio (como o SERVICO_1) o serviço nunca é escolhido automaticamente."},
    }
    form_extra_fields = {"password": write_only_password("Senha")}

    def on_model_change(self, form, model, is_created):
        if form.password.data:
            model.set_password(form.password.data)
        model.allowed_senders_list = model.allowed_senders_list  # normalise
        if not is_created and model.broken_at and form.password.data:
            # New credentials: give the service another chance.
            model.broken_at = None
            model.broken_reason = None
