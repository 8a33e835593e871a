""""Cadastrar Campanha": the upload form, the import result, the template download,
and (for the creator or an admin) cancel or change the date of a scheduled campaign."""
from __future__ import annotations

import io

from flask import abort, flash, redirect, request, send_file, url_for
from flask_admin import expose
from flask_login import current_user

from app.campaigns.scheduling import (
    PAST_RULE,
    ScheduleError,
    can_manage,
    cancel,
    check_moment,
    default_moment,
    format_picker,
    parse_local_input,
    reschedule,
)
from app.extensions import db
from app.intake import held_upload, refused_report
from app.intake.errors import DuplicateCampaign, IntakeRefused
from app.intake.files import issues_xlsx, template_csv, template_xlsx
from app.intake.service import ChoiceError, import_campaign, resolve_campaign_type, resolve_operation
from app.models import Campaign, CampaignType, ImportIssue, Operation
from app.models.campaigns import SCHEDULED
from app.timeutil import fmt_datetime

from .base import AnyUserView

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ISSUES = 1000  # the page lists this many; the download has all of them


class CampaignNewView(AnyUserView):
    @expose("/", methods=("GET", "POST"))
    def index(self):
        values = {"operation": "", "campaign_type": "", "scheduled_at": format_picker(default_moment())}
        errors: dict[str, str] = {}
        refused = refused_token = duplicate = held = None
        if request.method == "POST":
            values.update({k: (request.form.get(k) or "").strip() for k in values})
            user_id = current_user.id
            operation = campaign_type = moment = None
            try:
                operation = resolve_operation(values["operation"])
                campaign_type = resolve_campaign_type(operation, values["campaign_type"])
            except ChoiceError as exc:
                errors[exc.field] = exc.message
            try:
                moment = check_moment(parse_local_input(values["scheduled_at"]))
            except ScheduleError as exc:
                errors["scheduled_at"] = str(exc)
            held = _held_or_new(user_id)
            if held is None:
                errors["file"] = "Escolha a planilha (.csv ou .xlsx)."
            if not errors:
                try:
                    with held.open() as stream:
                        result = import_campaign(operation=operation, campaign_type=campaign_type,
                                                 scheduled_at=moment, stream=stream, filename=held.filename,
                                                 user=current_user._get_current_object(),
                                                 allow_duplicate=request.form.get("allow_duplicate") == "1")
                except DuplicateCampaign as exc:
                    duplicate = exc
                except IntakeRefused as exc:
                    refused = exc
                    if exc.rejected or exc.warnings:
                        refused_token = refused_report.keep(user_id, [*exc.rejected, *exc.warnings])
                else:
                    held_upload.discard(user_id, held.token)
                    return redirect(url_for(".result", campaign_id=result.campaign.id))
        return self.render("admin/intake/new.html", values=values, errors=errors, refused=refused,
                           refused_token=refused_token, duplicate=duplicate, shown=SHOWN_ISSUES, held=held,
                           past_rule=PAST_RULE, **self._choices())

    @staticmethod
    def _choices() -> dict:
        operations = db.session.execute(
            db.select(Operation).where(Operation.active.is_(True)).order_by(Operation.name)).scalars().all()
        types = db.session.execute(
            db.select(CampaignType).where(CampaignType.active.is_(True)).order_by(CampaignType.name)).scalars().all()
        return {"operations": operations, "campaign_types": types}

    def _campaign(self, campaign_id: int) -> Campaign:
        campaign = db.session.get(Campaign, campaign_id)
        if campaign is None:
            abort(404)
        return campaign

    @expose("/<int:campaign_id>")
    def result(self, campaign_id: int):
        campaign = self._campaign(campaign_id)
        issues = db.select(ImportIssue).where(ImportIssue.campaign_id == campaign.id).order_by(
            ImportIssue.line, ImportIssue.id)
        rejected = db.session.execute(issues.where(ImportIssue.kind == "rejected").limit(SHOWN_ISSUES)).scalars().all()
        warnings = db.session.execute(issues.where(ImportIssue.kind == "warning").limit(SHOWN_ISSUES)).scalars().all()
        warning_count = db.session.execute(db.select(db.func.count(ImportIssue.id)).where(
            ImportIssue.campaign_id == campaign.id, ImportIssue.kind == "warning")).scalar_one()
        manageable = campaign.status == SCHEDULED and can_manage(current_user, campaign)
        return self.render("admin/intake/result.html", campaign=campaign, rejected=rejected, warnings=warnings,
                           warning_count=warning_count, shown=SHOWN_ISSUES, manageable=manageable,
                           new_moment=format_picker(campaign.scheduled_at), past_rule=PAST_RULE)

    @expose("/<int:campaign_id>/recusadas.xlsx")
    def refused_lines(self, campaign_id: int):
        campaign = self._campaign(campaign_id)
        issues = db.session.execute(db.select(ImportIssue).where(ImportIssue.campaign_id == campaign.id).order_by(
            ImportIssue.line, ImportIssue.id)).scalars()
        return _download(issues_xlsx(issues), f"campanha-{campaign.id}-linhas-recusadas.xlsx", XLSX)

    @expose("/recusadas/<token>.xlsx")
    def refused_import(self, token: str):
        """The refused lines of an import that created no campaign (kept an hour, for its uploader)."""

        data = refused_report.fetch(current_user.id, token)
        if data is None:
            flash("Este relatório de linhas recusadas expirou ou não é seu. Envie a planilha de novo para gerá-lo.",
                  "warning")
            return redirect(url_for(".index"))
        return _download(data, "linhas-recusadas.xlsx", XLSX)

    @expose("/<int:campaign_id>/cancelar", methods=("POST",))
    def cancel(self, campaign_id: int):
        campaign = self._campaign(campaign_id)
        if not can_manage(current_user, campaign):
            abort(403)
        if cancel(campaign, user=current_user._get_current_object()):
            flash(f"Campanha #{campaign.id} cancelada.", "success")
        else:
            flash(f"A campanha #{campaign.id} não pode mais ser cancelada ({campaign.status_label.lower()}).", "error")
        return redirect(url_for(".result", campaign_id=campaign.id))

    @expose("/<int:campaign_id>/reagendar", methods=("POST",))
    def reschedule(self, campaign_id: int):
        campaign = self._campaign(campaign_id)
        if not can_manage(current_user, campaign):
            abort(403)
        try:
            moment = parse_local_input(request.form.get("scheduled_at", ""))
            moved = reschedule(campaign, moment, user=current_user._get_current_object())
        except ScheduleError as exc:
            flash(str(exc), "error")
        else:
            if moved:
                flash(f"Envio da campanha #{campaign.id} alterado para {fmt_datetime(moment)}.", "success")
            else:
                flash(f"A data da campanha #{campaign.id} não pode mais ser alterada "
                      f"({campaign.status_label.lower()}).", "error")
        return redirect(url_for(".result", campaign_id=campaign.id))

    @expose("/modelo.xlsx")
    def template_xlsx(self):
        return _download(template_xlsx(), "modelo-campanha.xlsx", XLSX)

    @expose("/modelo.csv")
    def template_csv(self):
        return _download(template_csv(), "modelo-campanha.csv", "text/csv; charset=utf-8")


def _held_or_new(user_id: int) -> held_upload.HeldFile | None:
    """The file of this submission: a newly chosen one (held at once, so that an error keeps it),
    else the one held from the previous submission (its token in the form)."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        held_upload.discard(user_id, request.form.get("held_file"))
        return held_upload.hold(user_id, upload.stream, upload.filename)
    return held_upload.fetch(user_id, request.form.get("held_file"))


def _download(data: bytes, filename: str, mimetype: str):
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)
