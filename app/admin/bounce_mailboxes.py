""""Caixa de devoluções": the IMAP mailbox(es) the bounces land in (admins only). The password is write-only
and encrypted; "Testar conexão" logs in and opens the folder; "Ler agora" reads it at once."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from wtforms import SelectField, validators

from app import audit
from app.bounces.imap import MailboxError, MailboxReader
from app.bounces.poll import read_mailbox, settings_of
from app.bounces.suppression_files import valid_email
from app.extensions import db
from app.models import BounceMailbox
from app.models.bounces import MAILBOX_SECURITY_CHOICES, MAILBOX_SECURITY_LABELS
from app.timeutil import fmt_datetime

from .base import SecureModelView
from .fields import write_only_password


def _state_column(view, context, model, name):
    if model.unreachable_since is None:
        polled = fmt_datetime(model.polled_at) if model.polled_at else "ainda não lida"
        return Markup('<span class="badge badge-success">ok</span> <small class="text-muted">{}</small>').format(polled)
    return Markup('<span class="badge badge-warning">sem conexão</span><div class="small text-muted" '
                  'style="max-width:22rem">desde {}: {}</div>').format(fmt_datetime(model.unreachable_since),
                                                                      model.unreachable_reason or "")


def _actions_column(view, context, model, name):
    token = generate_csrf()
    return Markup(" ").join(Markup(
        '<form method="post" action="{action}" class="d-inline"><input type="hidden" name="csrf_token" value="{token}">'
        '<button class="btn btn-outline-secondary btn-sm" type="submit">{label}</button></form>'
    ).format(action=url_for(endpoint, mailbox_id=model.id), token=token, label=label)
        for endpoint, label in (("bounce_mailboxes.test_connection", "Testar conexão"),
                                ("bounce_mailboxes.read_now", "Ler agora")))


class BounceMailboxView(SecureModelView):
    column_list = ("operation", "host", "port", "security", "username", "folder", "envelope_sender", "active",
                   "state", "actions")
    column_labels = {"operation": "Operação", "host": "Servidor IMAP", "port": "Porta", "security": "Segurança",
                     "username": "Usuário", "password": "Senha", "folder": "Pasta", "active": "Ativa",
                     "envelope_sender": "Remetente do envelope (Return-Path)", "state": "Situação", "actions": "Ações"}
    column_formatters = {
        "operation": lambda v, c, m, p: m.operation.name if m.operation else "Todas (compartilhada)",
        "security": lambda v, c, m, p: MAILBOX_SECURITY_LABELS.get(m.security, m.security),
        "state": _state_column,
        "actions": _actions_column,
    }
    form_columns = ("operation", "host", "port", "security", "username", "password", "folder", "envelope_sender",
                    "active")
    form_overrides = {"security": SelectField}
    form_args = {
        "operation": {"label": "Operação", "blank_text": "— todas (compartilhada) —", "description": "Vazio: uma caixa compartilhada por todas as operações "
                                                           "sem caixa própria."},
        "security": {"choices": [(c, MAILBOX_SECURITY_LABELS[c]) for c in MAILBOX_SECURITY_CHOICES],
                     "label": "Segurança"},
        "port": {"validators": [validators.InputRequired(), validators.NumberRange(min=1, max=65535)]},
        "folder": {"description": "Pasta lida (normalmente INBOX). As devoluções processadas vão para "
                                  "Preventivo/processados; as demais mensagens ficam onde estão."},
        "envelope_sender": {"description": "Opcional. O endereço desta caixa, usado como remetente do envelope "
                                           "(Return-Path) das mensagens, para que as devoluções cheguem aqui. O "
                                           "serviço de envio precisa aceitar este remetente."},
    }
    form_extra_fields = {"password": write_only_password("Senha")}

    def on_model_change(self, form, model, is_created):
        if form.password.data:
            model.set_password(form.password.data)
        model.envelope_sender = (model.envelope_sender or "").strip().lower() or None
        model.folder = (model.folder or "").strip() or "INBOX"

    def validate_form(self, form):
        valid = super().validate_form(form)
        sender = getattr(form, "envelope_sender", None)
        if sender is not None and (sender.data or "").strip() and valid_email(sender.data) is None:
            sender.errors = [*sender.errors, "E-mail inválido."]
            valid = False
        operation = getattr(form, "operation", None)
        if operation is not None and hasattr(form, "host"):
            op_id = getattr(operation.data, "id", None)
            clash = db.session.execute(db.select(BounceMailbox.id).where(
                BounceMailbox.operation_id.is_(None) if op_id is None else BounceMailbox.operation_id == op_id)
            ).scalars().all()
            editing = self._editing_id()
            if [i for i in clash if i != editing]:
                operation.errors = [*operation.errors, "Já existe uma caixa de devoluções para esta operação."
                                    if op_id else "Já existe uma caixa compartilhada."]
                valid = False
        return valid

    @staticmethod
    def _editing_id() -> int | None:
        raw = request.args.get("id", "")
        return int(raw) if raw.isdigit() and len(raw) <= 10 else None

    @expose("/testar/<int:mailbox_id>", methods=["POST"])
    def test_connection(self, mailbox_id: int):
        mailbox = self._mailbox(mailbox_id)
        try:
            with MailboxReader(settings_of(mailbox)):
                pass
            flash(f"Conexão com a caixa {mailbox} OK: conectou, autenticou e abriu a pasta {mailbox.folder}.",
                  "success")
            ok = True
        except MailboxError as exc:
            flash(f"Falha ao testar a caixa {mailbox}: {exc}", "error")
            ok = False
        audit.record("bouncemailbox.test_connection", target=mailbox, details={"ok": ok})
        db.session.commit()
        return redirect(url_for(".index_view"))

    @expose("/ler/<int:mailbox_id>", methods=["POST"])
    def read_now(self, mailbox_id: int):
        result = read_mailbox(self._mailbox(mailbox_id))
        if result.error:
            flash(f"Não foi possível ler a caixa: {result.error}", "error")
        else:
            flash(f"Caixa lida: {result.bounces} devoluções processadas, {result.left} outras mensagens deixadas "
                  "na caixa.", "success")
        return redirect(url_for(".index_view"))

    def _mailbox(self, mailbox_id: int) -> BounceMailbox:
        mailbox = db.session.get(BounceMailbox, mailbox_id)
        if mailbox is None:
            abort(404)
        return mailbox
