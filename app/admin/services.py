"""Cadastro Serviços: SMTP accounts. Passwords are write-only and encrypted."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_admin import expose
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from wtforms import SelectField, TextAreaField, validators

from app import audit
from app.extensions import db
from app.mailer.classify import SmtpFault
from app.mailer.health import clear_unreachable
from app.mailer.message import build_mime, new_message_id
from app.mailer.quota import usage
from app.mailer.registry import deletion_refusal
from app.mailer.transport import SmtpTransport
from app.models import EmailService, OperationBinding
from app.models.mailer import HEALTH_BROKEN, HEALTH_OK, HEALTH_UNREACHABLE, SECURITY_CHOICES, SECURITY_LABELS
from app.timeutil import fmt_datetime

from .base import SecureModelView
from .fields import write_only_password


def _usage_column(view, context, model, name):
    u = usage(model)
    color = "bg-danger" if u.exhausted else ("bg-warning" if u.percent >= 80 else "bg-success")
    badge = Markup(' <span class="badge badge-danger">esgotado</span>') if u.exhausted else ""
    return Markup(
        '<div class="progress" style="min-width:140px" title="{sent} de {quota} em {month}">'
        '<div class="progress-bar {color}" role="progressbar" style="width:{pct}%" aria-valuenow="{sent}" '
        'aria-valuemin="0" aria-valuemax="{quota}"></div></div><small>{sent_fmt} / {quota_fmt} ({month})</small>{badge}'
    ).format(sent=u.sent, quota=u.quota, month=u.month, color=color, pct=u.percent,
             sent_fmt=f"{u.sent:,}".replace(",", "."), quota_fmt=f"{u.quota:,}".replace(",", "."), badge=badge)


def _actions_column(view, context, model, name):
    token = generate_csrf()
    forms = []
    toggle = ("services.deactivate", "Desativar", "outline-danger") if model.active else \
        ("services.activate", "Reativar", "outline-success")
    for endpoint, label, style in (("services.test_connection", "Testar conexão", "outline-secondary"),
                                   ("services.send_test", "Enviar teste", "outline-primary"), toggle):
        forms.append(Markup(
            '<form method="post" action="{action}" class="d-inline">'
            '<input type="hidden" name="csrf_token" value="{token}">'
            '<button class="btn btn-{style} btn-sm" type="submit">{label}</button></form>'
        ).format(action=url_for(endpoint, service_id=model.id), token=token, style=style, label=label))
    return Markup(" ").join(forms)


HEALTH_BADGES = {HEALTH_OK: "badge-success", HEALTH_UNREACHABLE: "badge-warning", HEALTH_BROKEN: "badge-danger"}


def _health_column(view, context, model, name):
    badge = Markup('<span class="badge {}" title="{}">{}</span>').format(
        HEALTH_BADGES[model.health], model.health_reason or "", model.health_label)
    if model.health == HEALTH_OK:
        return badge
    since = fmt_datetime(model.health_since)
    return badge + Markup('<div class="small text-muted" style="max-width:22rem">desde {}: {}</div>').format(
        since, model.health_reason or "")


MAX_SESSIONS = 100
INT32 = 2**31 - 1


class EmailServiceView(SecureModelView):
    column_list = ("rotation_order", "name", "host", "port", "security", "username", "monthly_quota", "usage",
                   "in_rotation", "active", "health", "actions")
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
        "max_connections": "Sessões simultâneas",
        "max_per_minute": "Limite por minuto",
        "rotation_order": "Ordem",
        "in_rotation": "Em rodízio",
        "active": "Ativo",
        "allowed_senders": "Remetentes permitidos",
        "health": "Situação",
        "password": "Senha",
        "usage": "Uso no mês",
        "actions": "Ações",
    }
    column_formatters = {
        "security": lambda v, c, m, p: SECURITY_LABELS.get(m.security, m.security),
        "health": _health_column,
        "usage": _usage_column,
        "monthly_quota": lambda v, c, m, p: f"{m.monthly_quota or 0:,}".replace(",", "."),
        "actions": _actions_column,
    }
    form_columns = ("name", "host", "port", "security", "username", "password", "monthly_quota", "max_connections",
                    "max_per_minute", "rotation_order", "in_rotation", "active", "allowed_senders")
    form_excluded_columns = ("password_encrypted", "usages", "broken_at", "broken_reason", "created_at",
                             "connect_failures", "failing_since", "unreachable_at", "unreachable_reason", "probed_at")
    form_overrides = {"security": SelectField, "allowed_senders": TextAreaField}
    form_args = {
        "security": {"choices": [(c, SECURITY_LABELS[c]) for c in SECURITY_CHOICES], "label": "Segurança"},
        "monthly_quota": {"validators": [validators.InputRequired(), validators.NumberRange(min=0)]},
        "max_connections": {"validators": [validators.Optional(), validators.NumberRange(min=1, max=MAX_SESSIONS)],
                            "description": "Conexões SMTP abertas ao mesmo tempo, somando todos os workers (10 é o "
                                           "comum; menos se o provedor limitar conexões)."},
        "max_per_minute": {"validators": [validators.Optional(), validators.NumberRange(min=0, max=INT32)],
                           "description": "Mensagens por minuto, somando todos os workers; 0 = sem limite (o sistema "
                                          "desacelera sozinho quando o servidor pede)."},
        "port": {"validators": [validators.InputRequired(), validators.NumberRange(min=1, max=65535)]},
        "allowed_senders": {
            "description": "Opcional. Um endereço por linha; vazio permite qualquer remetente.",
        },
        "in_rotation": {"description": "Fora do rodízio (como o SERVICO_1) o serviço nunca é escolhido automaticamente."},
    }
    form_extra_fields = {"password": write_only_password("Senha")}

    def on_model_change(self, form, model, is_created):
        # Left blank: the defaults (10 sessions, no cap per minute).
        model.max_connections = model.max_connections or 10
        model.max_per_minute = model.max_per_minute or 0
        if form.password.data:
            model.set_password(form.password.data)
        model.allowed_senders_list = model.allowed_senders_list  # normalise
        if not is_created:
            model.forget_defect_if_reconfigured(new_password=bool(form.password.data))

    @expose("/testar/<int:service_id>", methods=["POST"])
    def test_connection(self, service_id: int):
        service = self._service(service_id)
        try:
            with SmtpTransport.for_service(service) as transport:
                code, text = transport.noop()
        except SmtpFault as fault:
            audit.record("emailservice.test_connection", target=service, details={"ok": False})
            db.session.commit()
            flash(f"Falha ao testar {service.name} ({fault}).", "error")
            return redirect(url_for(".index_view"))
        flash(f"Conexão com {service.name} OK: conectou, autenticou e respondeu {code} ao NOOP.", "success")
        if service.unreachable_at is not None and clear_unreachable(service):
            flash(f"{service.name} não está mais sem conexão.", "success")
        if service.broken_at is not None:
            # The defect is gone (a certificate renewed, a firewall opened): rotation may choose it again,
            # and paused campaigns resume with the next sweep.
            service.broken_at = service.broken_reason = None
            flash(f"{service.name} não está mais marcado com defeito.", "success")
        audit.record("emailservice.test_connection", target=service, details={"ok": True})
        db.session.commit()
        return redirect(url_for(".index_view"))

    @expose("/enviar-teste/<int:service_id>", methods=["POST"])
    def send_test(self, service_id: int):
        service = self._service(service_id)
        sender = (service.allowed_senders_list or [None])[0] or _a_sender() or service.username
        recipient = current_user.email
        data = build_mime(sender=sender, sender_name="Preventivo", recipient=recipient,
                          subject=f"Teste do serviço de envio {service.name}",
                          text=f"Mensagem de teste enviada pelo serviço {service.name}.",
                          html=f"<p>Mensagem de teste enviada pelo serviço <b>{escape(service.name)}</b>.</p>",
                          attachments=[], message_id=new_message_id(sender))
        try:
            with SmtpTransport.for_service(service) as transport:
                transport.send(sender, recipient, data)
            flash(f"Mensagem de teste enviada por {service.name} para {recipient} (remetente {sender}).", "success")
        except SmtpFault as fault:
            flash(f"{service.name} recusou a mensagem de teste ({fault}).", "error")
        return redirect(url_for(".index_view"))

    def delete_model(self, model) -> bool:
        """Refuse, with the reason, to delete a service with a binding or a history (deactivate it instead)."""
        refusal = deletion_refusal(model)
        if refusal:
            flash(refusal, "error")
            return False
        return super().delete_model(model)

    @expose("/desativar/<int:service_id>", methods=["POST"])
    def deactivate(self, service_id: int):
        return self._set_active(service_id, False)

    @expose("/reativar/<int:service_id>", methods=["POST"])
    def activate(self, service_id: int):
        return self._set_active(service_id, True)

    def _set_active(self, service_id: int, active: bool):
        service = self._service(service_id)
        service.active = active
        audit.record("emailservice.activate" if active else "emailservice.deactivate", target=service)
        db.session.commit()
        if active:
            flash(f"{service.name} reativado: o rodízio pode voltar a escolhê-lo.", "success")
        else:
            flash(f"{service.name} desativado: não será mais usado; as operações ligadas a ele passam para o "
                  "próximo serviço no próximo envio.", "success")
        return redirect(url_for(".index_view"))

    def _service(self, service_id: int):
        service = db.session.get(EmailService, service_id)
        if service is None:
            abort(404)
        return service


def _a_sender() -> str | None:
    """A sender address an operation uses (the test goes out as a real sender would)."""

    return db.session.execute(db.select(OperationBinding.sender_email).limit(1)).scalar()
