"""Configuração de serviço: which sender and service each operation uses."""
from __future__ import annotations

from .base import SecureModelView


class BindingView(SecureModelView):
    column_list = ("operation", "sender_email", "service", "updated_at")
    column_labels = {
        "operation": "Operação",
        "sender_email": "E-mail remetente",
        "service": "Serviço de envio",
        "updated_at": "Atualizado em",
    }
    form_columns = ("operation", "sender_email", "service")
