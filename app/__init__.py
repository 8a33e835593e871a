"""The Flask application factory."""
from __future__ import annotations

import logging

from flask import Flask, current_app, has_request_context, redirect, request, session, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from app.extensions import babel, csrf, db, login_manager, mail, migrate
from config import BASE_DIR, INSTANCE_DIR, load_config


def create_app(overrides: dict | None = None) -> Flask:
    # The factory is the composition root. It imports the front ends here, not at the top, because
    # every `import app.<anything>` runs this package first: importing a model must not import the panel.
    from app import models as _models  # noqa: F401  (register every table)
    from app.admin import init_admin
    from app.api import init_api
    from app.auth import bp as auth_bp
    from app.auth import init_login
    from app.auth.safety import safe_next
    from app.cli import register_cli
    from app.errors import register_error_handlers
    from app.health import bp as health_bp
    from app.logging_setup import configure_logging
    from app.web import BoundedIntegerConverter, init_security_headers, register_template_helpers

    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.update(load_config(overrides))
    configure_logging(app)
    if app.config["TRUSTED_PROXIES"]:
        # The client's address (login throttle, audit) from X-Forwarded-For, set by this many proxies only.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"], x_proto=app.config["TRUSTED_PROXIES"])

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: app.config["TIMEZONE"])
    login_manager.init_app(app)
    init_security_headers(app)

    # Before any route is added: every <int:...> in the app (API and panel) is bounded to a 64-bit id.
    app.url_map.converters["int"] = BoundedIntegerConverter
    init_login(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(health_bp)
    init_api(app)
    init_admin(app)
    register_cli(app)
    register_template_helpers(app)

    @app.get("/")
    def root():
        return redirect(url_for("admin.index"))

    @app.get("/idioma/<lang>")
    def set_language(lang: str):
        if lang in app.config["LANGUAGES"]:
            session["lang"] = lang
        return redirect(safe_next(request.referrer, default=url_for("admin.index")))

    register_error_handlers(app)
    logging.getLogger(__name__).debug("app created")
    return app


def _select_locale() -> str:
    lang = session.get("lang") if has_request_context() else None
    return lang if lang in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]
