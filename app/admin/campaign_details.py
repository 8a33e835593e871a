"""'Detalhes da campanha' and its actions, as routes of the campaign list view (/admin/campanhas/<id>)."""
from __future__ import annotations

from flask import Response, abort, flash, jsonify, redirect, request, stream_with_context, url_for
from flask_admin import expose
from flask_login import current_user

from app import audit
from app.campaigns.scheduling import PAST_RULE, ScheduleError, format_picker
from app.extensions import db
from app.reports import actions, details, exports, outcomes
from app.reports.campaign_list import page_numbers
from app.reports.chart import breakdown_svg
from app.reports.progress import progress_dict
from app.timeutil import fmt_datetime
from app.web import MAX_PAGE, bounded_int


def _bucket_arg() -> str | None:
    bucket = request.args.get("resultado") or None
    return bucket if bucket in outcomes.BUCKET_LABELS else None


def _page_arg() -> int:
    return bounded_int(request.args.get("pagina"), low=1, high=MAX_PAGE, default=1, clamp=True)


class CampaignDetailsRoutes:
    """Mixed into the list view: Flask-Admin collects inherited @expose routes."""

    @expose("/<int:campaign_id>")
    def details(self, campaign_id: int):
        campaign = details.load_campaign(campaign_id)
        if campaign is None:
            abort(404)
        bucket = _bucket_arg()
        search = (request.args.get("busca") or "").strip()[:100]
        clients = details.clients_page(campaign, bucket, _page_arg(), search=search)
        buckets = outcomes.breakdown(campaign)
        whole_cpfs_shown = current_user.is_admin and any(r.client.cpf for r in clients.rows)
        html = self.render(
            "admin/reports/details.html",
            campaign=campaign,
            progress=progress_dict(campaign),
            timeline=details.timeline(campaign),
            buckets=buckets,
            chart=breakdown_svg(buckets),
            clients=clients,
            client_numbers=page_numbers(clients.page, clients.pages),
            bucket=bucket,
            search=search,
            bucket_labels=outcomes.BUCKET_LABELS,
            rotations=details.rotations_during(campaign),
            alerts=details.alerts_during(campaign),
            new_moment=format_picker(campaign.scheduled_at),
            past_rule=PAST_RULE,
            **actions.allowed(campaign, current_user),
        )
        if whole_cpfs_shown:
            # After rendering: committing first would expire every loaded row (one reload per row).
            audit.record("cpf.view", target=campaign,
                         details={"page": clients.page, "resultado": bucket, "clients": len(clients.rows),
                                  "search": bool(search)})
            db.session.commit()
        return html

    @expose("/<int:campaign_id>/progresso.json")
    def progress(self, campaign_id: int):
        campaign = details.load_campaign(campaign_id)
        if campaign is None:
            return jsonify({"error": {"code": "not_found", "message": "Campanha não encontrada."}}), 404
        return jsonify(progress_dict(campaign))

    @expose("/<int:campaign_id>/alterar-data", methods=("POST",))
    def reschedule(self, campaign_id: int):
        try:
            moment = actions.reschedule(campaign_id, current_user._get_current_object(),
                                        request.form.get("scheduled_at", ""))
            flash(f"Envio alterado para {fmt_datetime(moment)}.", "success")
        except (ScheduleError, actions.ActionRefused) as exc:
            flash(str(exc), "warning")
        except actions.CampaignMissing:
            abort(404)
        except actions.NotAllowed:
            abort(403)  # only its creator or an admin (campaigns.scheduling.can_manage)
        return redirect(url_for(".details", campaign_id=campaign_id))

    @expose("/<int:campaign_id>/cancelar", methods=("POST",))
    def cancel(self, campaign_id: int):
        try:
            actions.cancel(campaign_id, current_user._get_current_object())
            flash("Campanha cancelada. Nenhum envio pendente será feito.", "success")
        except actions.ActionRefused as exc:
            flash(str(exc), "warning")
        except actions.CampaignMissing:
            abort(404)
        except actions.NotAllowed:
            abort(403)  # only its creator or an admin (campaigns.scheduling.can_manage)
        return redirect(url_for(".details", campaign_id=campaign_id))

    @expose("/<int:campaign_id>/reenviar-falhas", methods=("POST",))
    def retry_failed(self, campaign_id: int):
        try:
            count = actions.retry_failed(campaign_id, current_user._get_current_object())
            flash(f"{count} envio(s) com falha voltaram para a fila de envio.", "success")
        except actions.ActionRefused as exc:
            flash(str(exc), "warning")
        except actions.CampaignMissing:
            abort(404)
        except actions.NotAllowed:
            abort(403)
        return redirect(url_for(".details", campaign_id=campaign_id))

    @expose("/<int:campaign_id>/exportar.<fmt>")
    def export(self, campaign_id: int, fmt: str):
        if fmt not in ("xlsx", "csv"):
            abort(404)
        campaign = details.load_campaign(campaign_id)
        if campaign is None:
            abort(404)
        bucket = _bucket_arg()
        user = current_user._get_current_object()
        if user.is_admin:
            audit.record("cpf.export", target=campaign, details={"format": fmt, "resultado": bucket})
            db.session.commit()
        filename = f"campanha-{campaign.id}{'-' + bucket if bucket else ''}.{fmt}"
        disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
        rows = details.iter_client_rows(campaign, bucket)
        if fmt == "csv":
            return Response(stream_with_context(exports.write_csv(rows, user)),
                            mimetype="text/csv; charset=utf-8", headers=disposition)
        return Response(stream_with_context(exports.stream_xlsx(rows, user, title=f"Campanha {campaign.id}")),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers=disposition)
