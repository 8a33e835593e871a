"""Login, logout, passwords and the session user (Flask-Login).

login_views.py: /login and /logout; password_views.py: "Alterar minha senha" and "Esqueci minha senha";
credentials.py: checking a password (equal timing, locks per e-mail and address); sessions.py: sessions
that end; throttle.py: failures per client address; passwords.py: the password policy.
"""
from __future__ import annotations

from flask import flash, redirect, request, url_for

from app.api.errors import error_json
from app.extensions import login_manager

from . import login_views, password_views, sessions  # noqa: F401  (each registers its routes on bp)
from .blueprint import bp

__all__ = ["bp", "init_login"]


def init_login(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Faça login para acessar esta página."
    login_manager.login_message_category = "info"
    login_manager.user_loader(sessions.load_user)
    app.before_request(sessions.check_session_age)

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/api/"):
            return error_json(401, "unauthorized", "Autenticação necessária.")
        flash(login_manager.login_message, "info")
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
