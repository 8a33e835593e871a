"""Tipos de Campanha: day offsets and the email templates, with a preview and "send a test to me"."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_admin import expose
from flask_login import current_user
from markupsafe import Markup
from wtforms import TextAreaField, ValidationError

from app.extensions import db
from app.mailer.bindings import binding_of
from app.mailer.classify import SmtpFault
from app.mailer.eligibility import unusable_reason
from app.mailer.message import MessageFactory, new_message_id
from app.mailer.pdfs import PdfSource
from app.mailer.templates import (
    SAMPLE_BOLETOS,
    TemplateProblem,
    compile_templates,
    message_context,
    preview,
    templates_for,
)
from app.mailer.transport import SmtpTransport
from app.models import CampaignType
from app.models.operations import parse_offsets

from .base import SecureModelView

PLACEHOLDERS_HELP = (
    "Variáveis: {{ nome }}, {{ operacao }}, {{ email }}, {{ primeiro_vencimento }}, {{ valor_total }}, "
    "{{ quantidade_boletos }} e, para cada boleto em {% for b in boletos %}: b.acordo, b.parcela, "
    "b.total_parcelas, b.valor, b.vencimento, b.linha_digitavel, b.pix."
)


def _validate_offsets(form, field):
    try:
        field.data = ",".join(str(v) for v in parse_offsets(field.data))
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def _preview_column(view, context, model, name):
    return Markup('<a class="btn btn-outline-secondary btn-sm" href="{}">Pré-visualizar</a>').format(
        url_for("campaign_types.preview", type_id=model.id))


class CampaignTypeView(SecureModelView):
    column_list = ("operation", "name", "day_offsets", "active", "preview")
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
        "preview": "E-mail",
    }
    column_formatters = {"preview": _preview_column}
    form_columns = ("operation", "name", "day_offsets", "subject_template", "body_html_template", "body_text_template", "active")
    form_overrides = {"body_html_template": TextAreaField, "body_text_template": TextAreaField}
    form_args = {
        "day_offsets": {
            "validators": [_validate_offsets],
            "description": "Boletos que vencem no dia da campanha mais estes dias, separados por vírgula. Padrão: 0,7.",
        },
        "subject_template": {"description": PLACEHOLDERS_HELP},
        "body_html_template": {"render_kw": {"rows": 12}},
        "body_text_template": {"render_kw": {"rows": 8}},
    }

    def on_model_change(self, form, model, is_created):
        try:  # refuse a template that would fail every message of a campaign
            compile_templates(model.subject_template, model.body_html_template, model.body_text_template).render(
                message_context("Operação", "Maria", "cliente@exemplo.com.br", SAMPLE_BOLETOS))
        except TemplateProblem as exc:
            raise ValidationError(str(exc)) from exc

    def _type(self, type_id: int) -> CampaignType:
        ctype = db.session.get(CampaignType, type_id)
        if ctype is None:
            abort(404)
        return ctype

    @expose("/previa/<int:type_id>")
    def preview(self, type_id: int):
        ctype = self._type(type_id)
        try:
            rendered, problem = preview(ctype), None
        except TemplateProblem as exc:
            rendered, problem = None, str(exc)
        return self.render("admin/sending/campaign_type_preview.html", ctype=ctype, rendered=rendered, problem=problem)

    @expose("/previa/<int:type_id>/enviar", methods=["POST"])
    def send_test(self, type_id: int):
        ctype = self._type(type_id)
        binding = binding_of(ctype.operation_id)
        service = binding.service if binding else None
        if service is None or unusable_reason(service, binding.sender_email):
            flash("A operação não tem um serviço de envio disponível agora; veja Alterar Serviço de Envio.", "error")
            return redirect(url_for(".preview", type_id=type_id))
        factory = MessageFactory(ctype.operation.name, binding.sender_email, templates_for(ctype),
                                 PdfSource(ctype.operation.name))
        try:
            data = factory.build(recipient=current_user.email, client_name=current_user.name or "Maria da Silva",
                                 boletos=SAMPLE_BOLETOS, message_id=new_message_id(binding.sender_email))
            with SmtpTransport.for_service(service) as transport:
                transport.send(binding.sender_email, current_user.email, data)
            flash(f"Mensagem de teste enviada para {current_user.email} pelo serviço {service.name}. "
                  "Ela não conta na cota das campanhas.", "success")
        except TemplateProblem as exc:
            flash(str(exc), "error")
        except SmtpFault as fault:
            flash(f"O serviço {service.name} recusou a mensagem de teste ({fault}).", "error")
        return redirect(url_for(".preview", type_id=type_id))
