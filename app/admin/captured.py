"""Emails capturados: what the local mail catcher received (development and demo)."""
from __future__ import annotations

from .base import SecureModelView


class CapturedEmailView(SecureModelView):
    can_create = False
    can_edit = False
    can_view_details = True
    column_list = ("received_at", "auth_user", "mail_from", "rcpt_tos", "subject")
    column_default_sort = ("received_at", True)
    column_searchable_list = ("subject", "rcpt_tos", "mail_from")
    column_details_list = ("received_at", "auth_user", "mail_from", "rcpt_tos", "subject", "message_id", "size", "raw")
    column_labels = {
        "received_at": "Recebido em",
        "auth_user": "Serviço (usuário SMTP)",
        "mail_from": "Remetente",
        "rcpt_tos": "Destinatários",
        "subject": "Assunto",
        "message_id": "Message-ID",
        "size": "Tamanho (bytes)",
        "raw": "Mensagem",
    }
