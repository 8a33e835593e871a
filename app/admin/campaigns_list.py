"""'Listar Campanhas': the campaign report, with filters, totals, live progress and the details routes."""
from __future__ import annotations

from flask import jsonify, request
from flask_admin import expose
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.models import Campaign, Operation
from app.models.campaigns import CAMPAIGN_STATUS_LABELS, CAMPAIGN_STATUSES
from app.reports.campaign_list import list_campaigns, page_numbers
from app.reports.filters import PAGE_SIZES, parse_list_filters
from app.reports.progress import progress_dict
from app.web import bounded_int

from .base import AnyUserView
from .campaign_details import CampaignDetailsRoutes

MAX_PROGRESS_IDS = 100


class CampaignListView(CampaignDetailsRoutes, AnyUserView):
    def inaccessible_callback(self, name, **kwargs):
        # The live-progress endpoints answer JSON, not a login page, when the session is gone.
        if request.path.endswith(".json"):
            status = 403 if current_user.is_authenticated else 401
            return jsonify({"error": {"code": "forbidden" if status == 403 else "unauthorized",
                                      "message": "Sessão expirada: entre novamente."}}), status
        return super().inaccessible_callback(name, **kwargs)

    @expose("/")
    def index(self):
        filters = parse_list_filters(request.args)
        page = list_campaigns(filters)
        operations = db.session.execute(select(Operation).order_by(Operation.name)).scalars().all()
        return self.render(
            "admin/reports/list.html",
            filters=filters,
            page=page,
            page_numbers=page_numbers(page.page, page.pages),
            operations=operations,
            statuses=[(s, CAMPAIGN_STATUS_LABELS[s]) for s in CAMPAIGN_STATUSES],
            page_sizes=PAGE_SIZES,
            progress={row.campaign.id: progress_dict(row.campaign) for row in page.rows},
        )

    @expose("/progresso.json")
    def progress_many(self):
        """Progress of the list's rows: ?ids=1,2,3 (at most 100)."""
        parts = (request.args.get("ids") or "").split(",", MAX_PROGRESS_IDS)[:MAX_PROGRESS_IDS]
        ids = [i for i in (bounded_int(part) for part in parts) if i is not None]
        campaigns = db.session.execute(select(Campaign).where(Campaign.id.in_(ids))).scalars().all() if ids else []
        return jsonify({"campaigns": [progress_dict(c) for c in campaigns]})
