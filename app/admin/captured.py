"""Emails capturados: what the local mail catcher received (development and demo).

The details page shows a message as the debtor sees it (captured_message.py parses it):
the headers that matter, the text part, the HTML part in a sandboxed frame, and the
attachments with download links. The HTML is served by its own route with a policy of
its own: a CSP `sandbox` without scripts, nothing loaded from anywhere (inline images
come as data: URIs), and framing allowed by this site only (the rest of the panel may
never be framed: app/web.py).
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort
from flask_admin import expose

from app.extensions import db
from app.models import CapturedEmail

from . import captured_message
from .base import SecureModelView

# The HTML of a captured message: no script, no request anywhere, framed only by the panel itself.
MESSAGE_HTML_POLICY = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
                       "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox")


def _framed_by_this_site(view):
    # Flask-Talisman reads these per-view options (its documented decorator sets the same attribute;
    # the app's Talisman instance does not exist yet when this class is defined).
    view.talisman_view_options = {"frame_options": "SAMEORIGIN", "content_security_policy": MESSAGE_HTML_POLICY,
                                  "content_security_policy_nonce_in": []}
    return view


class CapturedEmailView(SecureModelView):
    can_create = False
    can_edit = False
    can_view_details = True
    details_template = "admin/captured/details.html"
    column_list = ("received_at", "auth_user", "mail_from", "rcpt_tos", "subject")
    column_default_sort = ("received_at", True)
    column_searchable_list = ("subject", "rcpt_tos", "mail_from")
    column_labels = {
        "received_at": "Recebido em",
        "auth_user": "Serviço (usuário SMTP)",
        "mail_from": "Remetente",
        "rcpt_tos": "Destinatários",
        "subject": "Assunto",
        "message_id": "Message-ID",
        "size": "Tamanho (bytes)",
    }

    def readable(self, model: CapturedEmail) -> captured_message.Readable:
        """Used by the details template."""
        return captured_message.readable(model.raw)

    def _captured(self, id: int) -> CapturedEmail:
        model = db.session.get(CapturedEmail, id)
        if model is None:
            abort(404)
        return model

    @expose("/<int:id>/html")
    @_framed_by_this_site
    def message_html(self, id: int):
        html = captured_message.html_with_inline_images(self._captured(id).raw)
        if html is None:
            abort(404)
        return Response(html, mimetype="text/html")

    @expose("/<int:id>/anexos/<int:index>")
    def attachment(self, id: int, index: int):
        found = captured_message.attachment(self._captured(id).raw, index)
        if found is None:
            abort(404)
        filename, content_type, data = found
        ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
        return Response(data, mimetype=content_type, headers={
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
        })
