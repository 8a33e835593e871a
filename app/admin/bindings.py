"""Alterar Serviço de Envio: one line per operation (sender, service), Atualizar, a confirmation."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user

from app.campaigns.sending import resume_after_rebinding
from app.extensions import db
from app.mailer import quota
from app.mailer.bindings import binding_of, binding_warnings, set_binding
from app.mailer.eligibility import unusable_reason
from app.models import EmailService, Operation
from app.web import bounded_int

from .base import SecureBaseView


class BindingView(SecureBaseView):
    """Admins only: the page today's operators use to switch services by hand."""

    def _rows(self):
        services = db.session.execute(db.select(EmailService).order_by(EmailService.rotation_order, EmailService.id)).scalars().all()
        usage = {s.id: quota.usage(s) for s in services}
        rows = []
        for operation in db.session.execute(db.select(Operation).order_by(Operation.code)).scalars():
            binding = binding_of(operation.id)
            service = binding.service if binding else None
            problem = unusable_reason(service, binding.sender_email if binding else "")
            rows.append({"operation": operation, "binding": binding, "problem": problem})
        return rows, services, usage

    @expose("/")
    def index(self):
        rows, services, usage = self._rows()
        return self.render("admin/sending/bindings.html", rows=rows, services=services, usage=usage)

    @expose("/atualizar", methods=["POST"])
    def update(self):
        operation = db.session.get(Operation, bounded_int(request.form.get("operation_id"), default=0))
        service = db.session.get(EmailService, bounded_int(request.form.get("service_id"), default=0))
        raw_sender = (request.form.get("sender_email") or "").strip()
        if operation is None or service is None:
            flash("Escolha uma operação e um serviço de envio.", "error")
            return redirect(url_for(".index"))
        try:
            sender = validate_email(raw_sender, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            flash(f"E-mail remetente inválido: {raw_sender[:100]}", "error")
            return redirect(url_for(".index"))
        binding = binding_of(operation.id)
        if request.form.get("confirmed") != "1":
            return self.render("admin/sending/binding_confirm.html", operation=operation, service=service, sender=sender,
                               current=binding.service if binding else None,
                               current_sender=binding.sender_email if binding else None,
                               warnings=binding_warnings(operation, sender, service))
        set_binding(operation, sender, service, user=current_user._get_current_object(),
                    reason=(request.form.get("reason") or "").strip()[:500] or "Alteração manual")
        resume_after_rebinding(operation.id)
        flash(f"Serviço de envio da operação {operation.name} alterado para {service.name}. "
              "Um e-mail de confirmação foi enviado aos administradores.", "success")
        return redirect(url_for(".index"))
