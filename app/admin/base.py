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
from app.security.text import CONTROL_MESSAGE, has_control_characters
from app.timeutil import fmt_date, fmt_datetime
from app.web import MAX_ID

MAX_LIST_PAGE = 100_000  # Flask-Admin's ?page= (0-based) past this is the last page anyone could reach


def bounded_ids(ids) -> list[int]:
    """Row ids posted by a list's actions: digits within an id column's range only (huge ones overflow SQL)."""
    return [int(i) for i in ids if str(i).isdigit() and len(str(i)) <= 10 and int(i) <= MAX_ID]


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
    # Text fields that refuse control characters: names reach email headers (CR/LF would inject one) and pages.
    plain_text_fields = ("name", "code", "host", "username", "subject_template")

    def validate_form(self, form):
        valid = super().validate_form(form)
        for name in self.plain_text_fields:
            field = getattr(form, name, None)
            if field is not None and isinstance(field.data, str) and has_control_characters(field.data):
                field.errors = [*field.errors, CONTROL_MESSAGE]
                valid = False
        return valid

    def get_one(self, id):
        """The row of ?id= (edit, details, delete): every table's key is an INTEGER, so a huge or
        non-numeric id is no row (not a database overflow)."""
        if len(str(id)) > 10 or not str(id).isdigit() or int(id) > MAX_ID:
            return None
        return super().get_one(id)

    def _get_list_extra_args(self):
        """Flask-Admin's list arguments, every integer bounded (a huge ?page= or ?sort= must not overflow SQL)."""
        args = super()._get_list_extra_args()
        args.page = min(max(args.page or 0, 0), MAX_LIST_PAGE)
        if args.page_size not in (None, 0) and args.page_size not in self.page_size_options:
            args.page_size = 0
        if args.sort is not None and not 0 <= args.sort < len(self._list_columns or ()):
            args.sort = None
        return args

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
