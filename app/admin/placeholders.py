"""Pages whose capability lands in a later issue: they render, and say so."""
from __future__ import annotations

from flask_admin import expose

from .base import AnyUserView


class UnderConstructionView(AnyUserView):
    @expose("/")
    def index(self):
        return self.render("admin/under_construction.html")
