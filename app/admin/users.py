"""Usuários: email, name, role, active, write-only password; an edit ends the user's sessions."""
from __future__ import annotations

from flask import flash
from flask_admin.actions import action
from flask_login import current_user
from wtforms import SelectField, ValidationError

from app.auth.credentials import locked_emails, unlock
from app.auth.passwords import password_problem
from app.auth.sessions import start_session
from app.extensions import db
from app.models import User
from app.models.accounts import ROLE_LABELS, ROLES

from .base import SecureModelView, bounded_ids
from .fields import write_only_password


def _locked(view, context, model, name) -> str:
    return "Sim" if locked_emails([model.email]) else "—"


class UserView(SecureModelView):
    column_list = ("email", "name", "role", "active", "locked", "last_login_at")
    column_searchable_list = ("email", "name")
    column_filters = ("role", "active")
    column_labels = {
        "email": "E-mail",
        "name": "Nome",
        "role": "Perfil",
        "active": "Ativo",
        "locked": "Bloqueado (algum endereço)",
        "last_login_at": "Último acesso",
        "password": "Senha",
    }
    column_formatters = {"role": lambda v, c, m, p: ROLE_LABELS.get(m.role, m.role), "locked": _locked}
    form_columns = ("email", "name", "role", "active", "password")
    form_overrides = {"role": SelectField}
    form_args = {"role": {"choices": [(r, ROLE_LABELS[r]) for r in ROLES], "label": "Perfil"}}
    form_extra_fields = {"password": write_only_password("Senha", "Na edição, deixe em branco para manter a senha atual.")}

    def on_model_change(self, form, model, is_created):
        model.email = (model.email or "").strip().lower()
        if is_created and not form.password.data:
            raise ValidationError("Informe uma senha para o novo usuário.")
        if form.password.data:
            problem = password_problem(form.password.data, name=model.name, email=model.email)
            if problem:
                raise ValidationError(problem)
            model.set_password(form.password.data)  # also ends the user's sessions
        elif not is_created:
            model.end_sessions()  # an admin's edit (role, deactivation...) ends every session of the user

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)
        if not is_created and model.id == current_user.id and model.active:
            start_session(model)  # an admin editing their own record stays logged in, with the new generation

    @action("unlock", "Desbloquear", "Desbloquear os usuários selecionados?")
    def action_unlock(self, ids):
        users = db.session.execute(db.select(User).where(User.id.in_(bounded_ids(ids)))).scalars().all()
        unlock([user.email for user in users])
        db.session.commit()
        flash("Usuários desbloqueados.", "success")
