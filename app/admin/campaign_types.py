"""Tipos de Campanha: day offsets and the email templates, with a preview and "send a test to me"."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from markupsafe import Markup
from wtforms import TextAreaField, ValidationError

from app import audit
from app.extensions import db
from app.mailer.bindings import binding_of
from app.mailer.classify import SmtpFault
from app.mailer.default_templates import DEFAULT_BODY_HTML, DEFAULT_BODY_TEXT, DEFAULT_SUBJECT
from app.mailer.eligibility import unusable_reason
from app.mailer.preview import preview, sample_message, sample_pdf
from app.mailer.templates import TemplateProblem, check_template
from app.mailer.transport import SmtpTransport
from app.models import CampaignType
from app.models.operations import parse_offsets

from .base import SecureModelView

PLACEHOLDERS_HELP = (
    "Variáveis: {{ nome }}, {{ operacao }}, {{ email }}, {{ vencimentos }} (ex.: 30/11 e 07/12/2026), "
    "{{ primeiro_vencimento }}, {{ valor_total }}, {{ quantidade_boletos }}; da operação: marca.cor, "
    "marca.logo_cid, marca.telefone, marca.site, marca.horario, marca.razao_social, marca.cnpj; e, para cada "
    "boleto em {% for b in boletos %}: b.acordo, b.parcela, b.total_parcelas, b.valor, b.vencimento, "
    "b.linha_digitavel, b.pix, b.pix_qr_cid. Deixe em branco para usar o modelo padrão."
)
DEFAULTS = {"subject_template": DEFAULT_SUBJECT, "body_html_template": DEFAULT_BODY_HTML,
            "body_text_template": DEFAULT_BODY_TEXT}
TEMPLATE_FIELDS = {"subject_template": "subject", "body_html_template": "html", "body_text_template": "text"}


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
        "body_html_template": {"render_kw": {"rows": 16},
                               "description": "HTML com <style>: o CSS é aplicado nos elementos (inline) ao montar "
                                              "cada e-mail. Imagens: cid:{{ marca.logo_cid }} e cid:{{ b.pix_qr_cid }}."},
        "body_text_template": {"render_kw": {"rows": 8}},
    }

    def on_form_prefill(self, form, id):
        """A blank template means the default: show the default's text, a starting point to edit."""
        for name, default in DEFAULTS.items():
            field = getattr(form, name)
            if not (field.data or "").strip():
                field.data = default

    def create_form(self, obj=None):
        form = super().create_form(obj)
        for name, default in DEFAULTS.items():
            if not getattr(form, name).data:
                getattr(form, name).data = default
        return form

    def validate_form(self, form):
        """Each template is compiled and rendered with the sample data in the bounded sandbox: one that fails,
        reaches for Python internals or runs away (loop bombs, huge output) is refused here, with the reason."""
        valid = super().validate_form(form)
        for name, kind in TEMPLATE_FIELDS.items():
            field = getattr(form, name, None)
            if field is None or not isinstance(field.data, str):
                continue
            problem = check_template(kind, field.data)
            if problem:
                field.errors = [*field.errors, problem]
                valid = False
        return valid

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
        return self.render("admin/sending/campaign_type_preview.html", ctype=ctype, rendered=rendered, problem=problem,
                           test_email=request.args.get("para") or current_user.email)

    @expose("/previa/<int:type_id>/boleto.pdf")
    def sample_pdf(self, type_id: int):
        filename, pdf = sample_pdf(self._type(type_id))
        return Response(pdf, mimetype="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="exemplo-{filename}"'})

    @expose("/previa/<int:type_id>/enviar", methods=["POST"])
    def send_test(self, type_id: int):
        """Send the sample to the address the admin typed, through the operation's bound service. Counts in no
        campaign and no quota; recorded in the audit trail."""
        ctype = self._type(type_id)
        raw = (request.form.get("email") or "").strip()
        try:  # blank: the admin's own address (an account's address was checked when the account was made)
            recipient = validate_email(raw, check_deliverability=False).normalized if raw else current_user.email
        except EmailNotValidError:
            flash(f"Endereço de e-mail inválido: {raw[:100]}", "error")
            return redirect(url_for(".preview", type_id=type_id))
        back = redirect(url_for(".preview", type_id=type_id, para=recipient))
        binding = binding_of(ctype.operation_id)
        service = binding.service if binding else None
        if service is None or unusable_reason(service, binding.sender_email):
            flash("A operação não tem um serviço de envio disponível agora; veja Alterar Serviço de Envio.", "error")
            return back
        try:
            data = sample_message(ctype, binding.sender_email, recipient)
            with SmtpTransport.for_service(service) as transport:
                transport.send(binding.sender_email, recipient, data)
        except TemplateProblem as exc:
            flash(str(exc), "error")
            return back
        except SmtpFault as fault:
            flash(f"O serviço {service.name} recusou a mensagem de teste ({fault}).", "error")
            ok = False
        else:
            flash(f"Mensagem de teste enviada para {recipient} pelo serviço {service.name}. "
                  "Ela não conta em nenhuma campanha nem na cota.", "success")
            ok = True
        audit.record("campaign_type.test_send", target=ctype,
                     details={"to": recipient, "service": service.name, "ok": ok})
        db.session.commit()
        return back
