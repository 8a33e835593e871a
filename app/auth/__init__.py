"""Login, logout and the session user (Flask-Login)."""
from __future__ import annotations

import time
from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField

from app.api.errors import error_json
from app.extensions import db, login_manager
from app.models import User
from app.timeutil import now_utc

from . import throttle
from .safety import safe_next

bp = Blueprint("auth", __name__)

LOCKED_MESSAGE = (
    "Conta bloqueada temporariamente por excesso de tentativas. "
    "Tente novamente em {minutes} minutos ou fale com um administrador."
)
BAD_CREDENTIALS = "E-mail ou senha inválidos."


class LoginForm(FlaskForm):
    email = StringField("E-mail")
    password = PasswordField("Senha")


def init_login(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Faça login para acessar esta página."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id))

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/api/"):

            return error_json(401, "unauthorized", "Autenticação necessária.")
        flash(login_manager.login_message, "info")
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.args.get("next"), default=url_for("admin.index"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    error = None
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            error, status = "Sessão expirada. Recarregue a página e tente de novo.", 400
        else:
            error, status = _attempt_login(form.email.data or "", form.password.data or "")
            if error is None:
                return redirect(next_url)
    return render_template("auth/login.html", form=form, error=error, next_url=next_url), status


THROTTLED_MESSAGE = (
    "Muitas tentativas de acesso sem sucesso a partir deste endereço. Tente novamente em {minutes} minutos."
)


def _attempt_login(email: str, password: str) -> tuple[str | None, int]:
    cfg = current_app.config
    address = throttle.client_address()
    wait = throttle.seconds_blocked(address)
    if wait:
        return THROTTLED_MESSAGE.format(minutes=max(1, (wait + 59) // 60)), 429
    error, status, wrong = _check_credentials(email, password)
    if wrong:
        throttle.record_failure(address)
        if cfg["LOGIN_FAILURE_DELAY"] > 0:
            time.sleep(cfg["LOGIN_FAILURE_DELAY"])  # every wrong guess costs the guesser time
    return error, status


def _check_credentials(email: str, password: str) -> tuple[str | None, int, bool]:
    """(error, status, whether the credentials were wrong)."""
    cfg = current_app.config
    user = db.session.execute(db.select(User).filter_by(email=email.strip().lower())).scalar_one_or_none()
    now = now_utc()
    if user is not None and user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        return LOCKED_MESSAGE.format(minutes=minutes), 429, False
    if user is None or not user.active or not user.check_password(password):
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= cfg["LOGIN_MAX_FAILURES"]:
                user.locked_until = now + timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
                user.failed_logins = 0
                db.session.commit()
                current_app.logger.warning("login locked for user id=%s", user.id)
                return LOCKED_MESSAGE.format(minutes=cfg["LOGIN_LOCK_MINUTES"]), 429, True
            db.session.commit()
        return BAD_CREDENTIALS, 401, True
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    db.session.commit()
    login_user(user)
    return None, 200, False


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    logout_user()
    flash("Você saiu do Preventivo.", "info")
    return redirect(url_for("auth.login"))
