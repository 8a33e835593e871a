"""The panel's home page (Dashboard): today's, upcoming and running campaigns, quotas, rotations, alerts."""
from __future__ import annotations

from flask_admin import expose

from app.reports import dashboard
from app.reports.progress import progress_dict

from .base import SecureIndexView


class DashboardView(SecureIndexView):
    @expose("/")
    def index(self):
        data = dashboard.build()
        progress = {c.id: progress_dict(c) for c in (*data["today"], *data["running"])}
        return self.render("admin/reports/dashboard.html", progress=progress, **data)
