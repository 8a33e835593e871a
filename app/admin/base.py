"""Secured base views for the panel (Flask-Admin's auth example, with roles).

Anonymous -> login page with next=; logged in without the role -> 403 page.
Every form carries a CSRF token: Flask-WTF's CSRFProtect guards every POST, and
Flask-Admin's templates add `csrf_token()` to create, edit, delete and action
forms. (SecureForm would add a second, differently signed field of the same
name, and the two would refuse each other.) Every change is audited.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import abort, redirect, request, url_for
from flask_admin import AdminIndexView, BaseView
from flask_admin.contrib.sqla import ModelView
from flask_login import current_user

from app import audit
from app.extensions import db
from app.models.accounts import ROLE_ADMIN, ROLES
from app.timeutil import fmt_date, fmt_datetime


class RoleRequiredMixin:
    """`allowed_roles` lists the roles that may open the view (default: admins only)."""

    allowed_roles: tuple[str, ...] = (ROLE_ADMIN,)

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and current_user.role in self.allowed_roles

    def is_visible(self) -> bool:
        return self.is_accessible()

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
        abort(403)


class SecureBaseView(RoleRequiredMixin, BaseView):
    pass


class AnyUserView(SecureBaseView):
    allowed_roles = ROLES


class SecureIndexView(RoleRequiredMixin, AdminIndexView):
    allowed_roles = ROLES


def _datetime_br(view, value, name) -> str:
    return fmt_datetime(value)


def _date_br(view, value, name) -> str:
    return fmt_date(value)


def _br_formatters(base: dict) -> dict:
    """Flask-Admin's type formatters, with moments as '05/08/2026 às 08:00' (local time) and days as dd/mm/aaaa."""

    return {**base, datetime: _datetime_br, date: _date_br}


class SecureModelView(RoleRequiredMixin, ModelView):
    from flask_admin.model import typefmt as _typefmt

    column_type_formatters = _br_formatters(_typefmt.BASE_FORMATTERS)
    column_type_formatters_detail = _br_formatters(_typefmt.DETAIL_FORMATTERS)
    del _typefmt
    can_view_details = False
    can_set_page_size = True
    page_size = 20
    # Exports are off unless a view lists exactly what it may export.
    can_export = False

    def after_model_change(self, form, model, is_created):
        audit.record(
            f"{type(model).__name__.lower()}.{'create' if is_created else 'update'}",
            target=model,
            details={"fields": sorted(self._changed_field_names(form))},
        )
        db.session.commit()

    def after_model_delete(self, model):
        audit.record(f"{type(model).__name__.lower()}.delete", target=model, details={"label": str(model)})
        db.session.commit()

    @staticmethod
    def _changed_field_names(form) -> set[str]:
        # Field names only: values may be secrets.
        return {name for name, field in form._fields.items() if name != "csrf_token" and field.data not in (None, "")}
