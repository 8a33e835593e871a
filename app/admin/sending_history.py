"""Histórico de envio: service changes (automatic and manual) and the alerts the admins received."""
from __future__ import annotations

from flask import request
from flask_admin import expose

from app.extensions import db
from app.models import Alert, Rotation
from app.models.mailer import ROTATION_KIND_LABELS

from .base import AnyUserView

ALERT_KIND_LABELS = {
    "quota_exhausted": "Limite esgotado",
    "binding_changed": "Serviço alterado",
    "service_broken": "Serviço com defeito",
    "no_service": "Sem serviço disponível",
    "bounce_mailbox_unreachable": "Caixa de devoluções sem conexão",
}


class SendingHistoryView(AnyUserView):
    @expose("/")
    def index(self):
        limit = min(max(request.args.get("limite", 200, type=int) or 200, 1), 1000)
        rotations = db.session.execute(
            db.select(Rotation).order_by(Rotation.created_at.desc(), Rotation.id.desc()).limit(limit)
        ).scalars().all()
        alerts = db.session.execute(
            db.select(Alert).order_by(Alert.created_at.desc(), Alert.id.desc()).limit(limit)
        ).scalars().all()
        return self.render("admin/sending/history.html", rotations=rotations, alerts=alerts,
                           kind_labels=ROTATION_KIND_LABELS, alert_labels=ALERT_KIND_LABELS)
