""""Endereços bloqueados": the suppression list. Everyone reads (search, export); only admins add, remove and
import, each change audited."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user

from app import audit
from app.bounces import suppression
from app.bounces.suppression_files import ImportRefused, export_csv, import_csv, valid_email
from app.extensions import db
from app.models.bounces import SOURCE_MANUAL
from app.web import bounded_int

from .base import AnyUserView

PAGE_SIZE = 50
MAX_EXPORT = 200_000


def _admin_only() -> None:
    if not current_user.is_admin:
        abort(403)


class SuppressionView(AnyUserView):
    @expose("/")
    def index(self):
        email = (request.args.get("email") or "").strip()[:254]
        page = bounded_int(request.args.get("page"), low=1, high=100_000, default=1, clamp=True)
        query = suppression.search(email)
        rows = db.session.execute(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).scalars().all()
        return self.render("admin/bounces/suppressions.html", rows=rows[:PAGE_SIZE], more=len(rows) > PAGE_SIZE,
                           page=page, email=email, total=suppression.count(), may_change=current_user.is_admin)

    @expose("/adicionar", methods=("POST",))
    def add(self):
        _admin_only()
        address = valid_email(request.form.get("email") or "")
        reason = (request.form.get("reason") or "").strip()[:500] or "Bloqueado manualmente"
        if address is None:
            flash("E-mail inválido: confira o endereço.", "error")
        elif suppression.suppress(address, reason, SOURCE_MANUAL) is None:
            flash(f"{address} já estava bloqueado.", "info")
        else:
            audit.record("suppression.add", details={"email": address, "reason": reason})
            db.session.commit()
            flash(f"{address} bloqueado: nenhuma mensagem será enviada para ele.", "success")
        return redirect(url_for(".index"))

    @expose("/remover", methods=("POST",))
    def remove(self):
        _admin_only()
        address = suppression.normalize(request.form.get("email"))
        if suppression.unsuppress(address):
            audit.record("suppression.remove", details={"email": address})
            db.session.commit()
            flash(f"{address} desbloqueado: as próximas campanhas voltam a enviar para ele.", "success")
        else:
            flash(f"{address} não estava bloqueado.", "info")
        return redirect(url_for(".index"))

    @expose("/importar", methods=("POST",))
    def import_file(self):
        _admin_only()
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash("Escolha um arquivo CSV.", "error")
            return redirect(url_for(".index"))
        try:
            result = import_csv(upload.read(), "Importado de arquivo")
        except ImportRefused as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for(".index"))
        audit.record("suppression.import", details={"file": upload.filename[:200], "added": result.added,
                                                    "already": result.already, "invalid": len(result.invalid)})
        db.session.commit()
        flash(f"Importação: {result.added} bloqueados, {result.already} já estavam bloqueados, "
              f"{len(result.invalid)} inválidos.", "success" if not result.invalid else "warning")
        if result.invalid:
            sample = ", ".join(f"linha {line}: {value}" for line, value in result.invalid[:10])
            flash(f"Endereços inválidos (não importados): {sample}", "warning")
        return redirect(url_for(".index"))

    @expose("/exportar")
    def export(self):
        email = (request.args.get("email") or "").strip()[:254]
        rows = db.session.execute(suppression.search(email).limit(MAX_EXPORT)).scalars().all()
        return Response(export_csv(rows), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="enderecos_bloqueados.csv"'})
