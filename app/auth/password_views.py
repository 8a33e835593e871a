""""Alterar minha senha" and "Esqueci minha senha": a signed, single-use link valid PASSWORD_RESET_MINUTES.

The reset link carries the user's id and a fingerprint of the user's current password hash,
signed with SECRET_KEY (itsdangerous) and timed. Setting the new password changes the hash, so
the link works once; a link older than PASSWORD_RESET_MINUTES is refused. The e-mail goes out
from a job (Flask-Mail, the system's own mail), so the answer takes the same time and says the
same thing whether or not the e-mail exists; each request counts against the client address's
login throttle.
"""
from __future__ import annotations

import hashlib
import hmac
import logging

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_mail import Message
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app import audit
from app.extensions import db, mail
from app.jobs import job
from app.jobs.queues import MAINTENANCE
from app.models import User

from . import credentials, sessions, throttle
from .blueprint import bp
from .login_views import throttled_message
from .passwords import password_problem

log = logging.getLogger(__name__)

SALT = "preventivo-password-reset"
SENT_MESSAGE = ("Se este e-mail estiver cadastrado, enviamos para ele um link para criar uma nova senha. "
                "O link vale por {minutes} minutos e pode ser usado uma vez.")
BAD_LINK = "Este link para criar uma nova senha é inválido, já foi usado ou expirou. Peça outro."
MISMATCH = "A confirmação não é igual à nova senha."


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, (user.password_hash or "").encode(), hashlib.sha256).hexdigest()[:24]


def reset_token(user: User) -> str:
    return _serializer().dumps([user.id, _fingerprint(user)])


def user_for_token(token: str) -> User | None:
    """The user of a valid, unused, unexpired reset token; else None."""
    try:
        user_id, fingerprint = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MINUTES"] * 60)
    except (SignatureExpired, BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(fingerprint, str):
        return None
    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None or not user.active or not hmac.compare_digest(fingerprint, _fingerprint(user)):
        return None
    return user


@job(MAINTENANCE, timeout=120)
def send_password_reset_job(user_id: int, base_url: str) -> None:
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return
    # A worker has no request (and no SERVER_NAME): the path comes from the URL map itself.
    path = current_app.url_map.bind("").build("auth.reset_password", {"token": reset_token(user)})
    link = base_url.rstrip("/") + path
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    body = render_template("auth/reset_email.txt", user=user, link=link, minutes=minutes)
    mail.send(Message(subject="Preventivo: criar uma nova senha", recipients=[user.email], body=body))
    log.info("password reset link sent to user id=%s", user.id)


def _public_base_url() -> str:
    return current_app.config["PUBLIC_URL"] or request.host_url


@bp.route("/esqueci-minha-senha", methods=["GET", "POST"])
def forgot_password():
    sent, error, status = False, None, 200
    if request.method == "POST":
        error = throttled_message()
        if error:
            status = 429
        else:
            throttle.record_failure(throttle.client_address())  # each request spends the address's login budget
            _send_reset(request.form.get("email", ""))
            sent = True
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    return render_template("auth/forgot_password.html", sent=sent, error=error, minutes=minutes,
                           sent_message=SENT_MESSAGE.format(minutes=minutes)), status


def _send_reset(email: str) -> None:
    email = credentials.normalize_email(email)
    user = db.session.execute(db.select(User).where(User.email == email)).scalar_one_or_none() if email else None
    if user is None or not user.active:
        return
    try:
        send_password_reset_job.delay(user.id, _public_base_url())
    except Exception:  # Redis away: send from here (slower answer, but the person gets the link)
        log.warning("reset e-mail not queued; sending it from the web process", exc_info=True)
        try:
            send_password_reset_job(user.id, _public_base_url())
        except Exception:
            log.warning("reset e-mail not sent", exc_info=True)


@bp.route("/redefinir-senha/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = user_for_token(token)
    if user is None:
        return render_template("auth/reset_password.html", bad_link=BAD_LINK, error=None), 400
    error = None
    if request.method == "POST":
        error = _new_password_problem(user)
        if error is None:
            user.set_password(request.form["new_password"])  # ends every session; the link stops working
            credentials.unlock([user.email])
            audit.record("user.password_reset", target=user, user=user)
            db.session.commit()
            sessions.end_session()
            flash("Senha criada. Entre com a nova senha.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", bad_link=None, error=error, user=user), 400 if error else 200


def _new_password_problem(user: User) -> str | None:
    new, confirmation = request.form.get("new_password") or "", request.form.get("confirmation") or ""
    problem = password_problem(new, name=user.name, email=user.email)
    if problem is None and new != confirmation:
        problem = MISMATCH
    return problem


@bp.route("/minha-senha", methods=["GET", "POST"])
@login_required
def change_password():
    """The user's own password: the current one, a new one and its confirmation. Other sessions end."""
    user = current_user._get_current_object()
    error = None
    if request.method == "POST":
        if not user.check_password(request.form.get("current_password") or ""):
            throttle.record_failure(throttle.client_address())
            error = "A senha atual não confere."
        else:
            error = _new_password_problem(user)
        if error is None:
            user.set_password(request.form["new_password"])
            audit.record("user.password_change", target=user, user=user)
            db.session.commit()
            sessions.start_session(user)  # this session goes on with the new generation; every other one ended
            flash("Senha alterada. As outras sessões abertas com a senha antiga foram encerradas.", "success")
            return redirect(url_for("admin.index"))
    return render_template("auth/change_password.html", error=error), 400 if error else 200
