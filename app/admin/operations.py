"""Operações (Tipos de Campanha live in campaign_types.py)."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, url_for
from flask_admin import expose
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from wtforms import BooleanField, FileField, ValidationError

from app import audit
from app.extensions import db
from app.mailer.branding import LOGO_MAX_BYTES, clean_cnpj, clean_color, clean_email, clean_logo, format_cnpj
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


def _checked(clean):
    """A WTForms validator from a branding check (ValueError with a pt-BR message); keeps the cleaned value."""

    def validator(form, field):
        try:
            field.data = clean(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    return validator


def _logo_column(view, context, model, name):
    if not model.logo:
        return "—"
    return Markup('<img src="{}" alt="Logotipo de {}" style="max-height:28px;max-width:120px">').format(
        url_for(".logo_view", operation_id=model.id, v=len(model.logo)), model.public_name)


def _cnpj_column(view, context, model, name):
    return format_cnpj(model.cnpj)


class OperationView(SecureModelView):
    can_delete = False
    column_list = ("code", "name", "display_name", "logo", "cnpj", "provider_url", "provider_token", "active",
                   "test_connection")
    column_labels = {
        "code": "Código",
        "name": "Nome",
        "display_name": "Nome exibido ao cliente",
        "logo": "Logotipo",
        "logo_upload": "Logotipo (PNG ou JPEG)",
        "remove_logo": "Remover o logotipo atual",
        "brand_color": "Cor da marca",
        "service_phone": "Telefone da central de atendimento",
        "service_site": "Site de atendimento",
        "service_hours": "Horário de atendimento",
        "legal_name": "Razão social",
        "cnpj": "CNPJ",
        "reply_to": "Responder para (Reply-To)",
        "provider_url": "URL da API do credor",
        "provider_token": "Token da API",
        "active": "Ativa",
        "test_connection": "Conexão",
        "rotate_when_throttled": "Trocar de serviço quando o servidor limitar o ritmo",
    }
    column_formatters = {"provider_url": _url_column, "provider_token": _token_column,
                         "test_connection": _test_connection_column, "logo": _logo_column, "cnpj": _cnpj_column}
    form_columns = ("code", "name", "display_name", "logo_upload", "remove_logo", "brand_color", "service_phone",
                    "service_site", "service_hours", "legal_name", "cnpj", "reply_to", "provider_url",
                    "provider_token", "active", "rotate_when_throttled")
    form_extra_fields = {
        "provider_token": write_only_password("Token da API"),
        "logo_upload": FileField("Logotipo (PNG ou JPEG)", render_kw={"accept": "image/png,image/jpeg"},
                                 description=f"Aparece no topo do e-mail do cliente. Até {LOGO_MAX_BYTES // 1000} KB; "
                                             "deixe vazio para manter o atual."),
        "remove_logo": BooleanField("Remover o logotipo atual"),
    }
    plain_text_fields = (*SecureModelView.plain_text_fields, "display_name", "service_phone", "service_site",
                         "service_hours", "legal_name", "reply_to")
    form_args = {
        "display_name": {"description": "Como a operação aparece no assunto e no corpo do e-mail (ex.: Claro). "
                                         "Vazio: o nome acima."},
        "brand_color": {"validators": [_checked(clean_color)], "render_kw": {"placeholder": "#da291c"},
                        "description": "Formato #rrggbb; usada na faixa do topo do e-mail."},
        "service_phone": {"render_kw": {"placeholder": "0800 000 0000"}},
        "service_site": {"render_kw": {"placeholder": "www.exemplo.com.br/atendimento"}},
        "service_hours": {"render_kw": {"placeholder": "Segunda a sexta, das 8h às 20h"}},
        "cnpj": {"validators": [_checked(clean_cnpj)], "render_kw": {"placeholder": "00.000.000/0000-00"},
                 "description": "Aparece no rodapé do e-mail, com a razão social."},
        "reply_to": {"validators": [_checked(clean_email)],
                     "description": "Opcional: para onde vão as respostas do cliente (cabeçalho Reply-To)."},
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

    @expose("/logotipo/<int:operation_id>")
    def logo_view(self, operation_id: int):
        op = db.session.get(Operation, operation_id)
        if op is None or not op.logo:
            abort(404)
        return Response(op.logo, mimetype=op.logo_mime or "application/octet-stream")

    def validate_form(self, form):
        valid = super().validate_form(form)
        upload = getattr(form, "logo_upload", None)
        form.cleaned_logo = None
        if upload is not None and getattr(upload.data, "stream", None) is not None:
            data = upload.data.stream.read(LOGO_MAX_BYTES + 1)
            try:
                form.cleaned_logo = clean_logo(data)
            except ValueError as exc:
                upload.errors = [*upload.errors, str(exc)]
                valid = False
        return valid

    def on_model_change(self, form, model, is_created):
        model.code = (model.code or "").strip().upper()
        for name in ("display_name", "service_phone", "service_site", "service_hours", "legal_name"):
            setattr(model, name, (getattr(model, name) or "").strip() or None)
        if getattr(form, "cleaned_logo", None):
            model.logo, model.logo_mime = form.cleaned_logo
        elif form.remove_logo.data:
            model.logo, model.logo_mime = None, None
        if form.provider_token.data:
            model.set_provider_token(form.provider_token.data)
