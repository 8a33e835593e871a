"""Login and logout (Flask-Login): credentials.py checks, sessions.py starts and ends, throttle.py slows."""
from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField

from app.extensions import db
from app.timeutil import now_utc

from . import credentials, sessions, throttle
from .blueprint import bp
from .safety import safe_next

LOCKED_MESSAGE = (
    "Acesso bloqueado temporariamente neste endereço por excesso de tentativas. "
    "Tente novamente em {minutes} minutos, use \"Esqueci minha senha\" ou fale com um administrador."
)
BAD_CREDENTIALS = "E-mail ou senha inválidos."
THROTTLED_MESSAGE = (
    "Muitas tentativas de acesso sem sucesso a partir deste endereço. Tente novamente em {minutes} minutos."
)
EXPIRED_FORM = "Sessão expirada. Recarregue a página e tente de novo."


class LoginForm(FlaskForm):
    email = StringField("E-mail")
    password = PasswordField("Senha")


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
            error, status = EXPIRED_FORM, 400
        else:
            error, status = attempt_login(form.email.data or "", form.password.data or "")
            if error is None:
                return redirect(next_url)
    return render_template("auth/login.html", form=form, error=error, next_url=next_url), status


def throttled_message() -> str | None:
    """The refusal for a client address past its failure budget (login and "Esqueci minha senha"), else None."""
    wait = throttle.seconds_blocked(throttle.client_address())
    return THROTTLED_MESSAGE.format(minutes=max(1, (wait + 59) // 60)) if wait else None


def attempt_login(email: str, password: str) -> tuple[str | None, int]:
    refused = throttled_message()
    if refused:
        return refused, 429
    address = throttle.client_address()
    verdict = credentials.verify(email, password, address)
    if verdict.user is not None:
        verdict.user.last_login_at = now_utc()
        db.session.commit()
        sessions.start_session(verdict.user)
        return None, 200
    throttle.record_failure(address)
    if current_app.config["LOGIN_FAILURE_DELAY"] > 0:
        time.sleep(current_app.config["LOGIN_FAILURE_DELAY"])  # every wrong guess costs the guesser time
    if verdict.locked_minutes:
        return LOCKED_MESSAGE.format(minutes=verdict.locked_minutes), 429
    return BAD_CREDENTIALS, 401


@bp.post("/logout")
def logout():
    """POST only (a GET from another site must not log anyone out). Ends every session of the user."""
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        user.end_sessions()
        db.session.commit()
    sessions.end_session()
    flash("Você saiu do Preventivo.", "info")
    return redirect(url_for("auth.login"))
