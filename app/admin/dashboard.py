"""The panel's home page (Dashboard). The reports issue fills it with live figures."""
from __future__ import annotations

from flask_admin import expose

from .base import SecureIndexView


class DashboardView(SecureIndexView):
    @expose("/")
    def index(self):
        return self.render("admin/dashboard.html")
