""""Tokens da API": an admin sees and revokes every token, any other user only their own."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_admin import expose
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.api.tokens import ACTIVE, STATE_LABELS, revoke, token_state
from app.extensions import db
from app.models import ApiToken
from app.timeutil import now_utc

from .base import AnyUserView


def may_manage_token(user, token: ApiToken) -> bool:
    return bool(user.is_admin) or token.user_id == user.id


class ApiTokenView(AnyUserView):
    def is_visible(self) -> bool:
        return False  # reached from the user menu

    @expose("/")
    def index(self):
        user = current_user._get_current_object()
        query = db.select(ApiToken).options(joinedload(ApiToken.user)).order_by(ApiToken.created_at.desc(),
                                                                                ApiToken.id.desc())
        if not user.is_admin:
            query = query.where(ApiToken.user_id == user.id)
        now = now_utc()
        rows = [(token, token_state(token, now)) for token in db.session.execute(query).scalars()]
        return self.render("admin/accounts/tokens.html", rows=rows, labels=STATE_LABELS, active=ACTIVE,
                           everyone=user.is_admin)

    @expose("/<int:token_id>/revogar", methods=("POST",))
    def revoke(self, token_id: int):
        token = db.session.get(ApiToken, token_id)
        if token is None:
            abort(404)
        user = current_user._get_current_object()
        if not may_manage_token(user, token):
            abort(403)
        if revoke(token, user=user):
            db.session.commit()
            flash(f"Token {token.prefix}… revogado: ele deixa de funcionar agora.", "success")
        else:
            flash(f"O token {token.prefix}… já estava revogado.", "info")
        return redirect(url_for(".index"))
