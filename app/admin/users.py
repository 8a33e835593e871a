"""Usuários: email, name, role, active, write-only password."""
from __future__ import annotations

from flask import flash
from flask_admin.actions import action
from wtforms import SelectField, ValidationError

from app.extensions import db
from app.models import User
from app.models.accounts import ROLE_LABELS, ROLES

from .base import SecureModelView
from .fields import write_only_password


class UserView(SecureModelView):
    column_list = ("email", "name", "role", "active", "locked_until", "last_login_at")
    column_searchable_list = ("email", "name")
    column_filters = ("role", "active")
    column_labels = {
        "email": "E-mail",
        "name": "Nome",
        "role": "Perfil",
        "active": "Ativo",
        "locked_until": "Bloqueado até",
        "last_login_at": "Último acesso",
        "password": "Senha",
    }
    column_formatters = {"role": lambda v, c, m, p: ROLE_LABELS.get(m.role, m.role)}
    form_columns = ("email", "name", "role", "active", "password")
    form_overrides = {"role": SelectField}
    form_args = {"role": {"choices": [(r, ROLE_LABELS[r]) for r in ROLES], "label": "Perfil"}}
    form_extra_fields = {"password": write_only_password("Senha", "Na edição, deixe em branco para manter a senha atual.")}

    def on_model_change(self, form, model, is_created):
        model.email = (model.email or "").strip().lower()
        if is_created and not form.password.data:
            raise ValidationError("Informe uma senha para o novo usuário.")
        if form.password.data:
            if len(form.password.data) < 8:
                raise ValidationError("A senha precisa de ao menos 8 caracteres.")
            model.set_password(form.password.data)

    @action("unlock", "Desbloquear", "Desbloquear os usuários selecionados?")
    def action_unlock(self, ids):
        users = db.session.execute(db.select(User).where(User.id.in_([int(i) for i in ids]))).scalars()
        for user in users:
            user.locked_until = None
            user.failed_logins = 0
        db.session.commit()
        flash("Usuários desbloqueados.", "success")
