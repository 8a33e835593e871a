"""'Listar Campanhas': one query for the page's rows, one for the count and the period's totals."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.models import Campaign, CampaignType, Operation, User
from app.reports.client_search import campaign_has_client, cpf_term
from app.reports.filters import ListFilters
from app.timeutil import localize

SORT_COLUMNS = {
    "data": Campaign.scheduled_at,
    "operacao": Operation.name,
    "campanha": CampaignType.name,
    "registros": Campaign.records,
    "acordos": Campaign.agreements,
    "enviados": Campaign.emails_sent,
    "status": Campaign.status,
}


@dataclass
class CampaignRow:
    campaign: Campaign
    operation_name: str
    campaign_type_name: str
    creator_email: str | None


@dataclass
class ListPage:
    rows: list[CampaignRow]
    total: int
    page: int
    pages: int
    per_page: int
    totals: dict

    @property
    def first(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.total)

    @property
    def footer(self) -> str:
        """'1 ao 4 de 4 registros', as the old system said it."""
        if self.total == 0:
            return "Nenhum registro encontrado"
        return f"{self.first} ao {self.last} de {self.total} registros"


def period_bounds(filters: ListFilters) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in TIMEZONE, as aware UTC: scheduled_at's index does the rest."""
    lower = localize(datetime.combine(filters.start, time.min))
    upper = localize(datetime.combine(filters.end + timedelta(days=1), time.min))
    return lower, upper


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(filters: ListFilters) -> list:
    lower, upper = period_bounds(filters)
    conds = [Campaign.scheduled_at >= lower, Campaign.scheduled_at < upper]
    if filters.operation_id:
        conds.append(Campaign.operation_id == filters.operation_id)
    if filters.status:
        conds.append(Campaign.status == filters.status)
    if filters.search:
        term = filters.search
        by_client = campaign_has_client(term)
        pattern = _like(term)
        if by_client is not None and cpf_term(term):  # a whole CPF: the campaigns that have that client
            conds.append(by_client)
            return conds
        options = [
            CampaignType.name.ilike(pattern, escape="\\"),
            Operation.name.ilike(pattern, escape="\\"),
            Operation.code.ilike(pattern, escape="\\"),
            User.email.ilike(pattern, escape="\\"),
        ]
        if by_client is not None:  # a whole e-mail: a client's address, or (as before) the creator's
            options.append(by_client)
        digits = term.lstrip("#").strip()
        if digits.isdigit() and len(digits) < 10:
            options.append(Campaign.id == int(digits))
        conds.append(or_(*options))
    return conds


def _joined(stmt):
    return (
        stmt.select_from(Campaign)
        .join(Operation, Operation.id == Campaign.operation_id)
        .join(CampaignType, CampaignType.id == Campaign.campaign_type_id)
        .outerjoin(User, User.id == Campaign.created_by_id)
    )


TOTAL_FIELDS = ("records", "agreements", "boletos_selected", "emails_sent", "emails_failed", "emails_pending",
                "emails_bounced", "emails_suppressed")


def list_campaigns(filters: ListFilters) -> ListPage:
    conds = and_(*_conditions(filters))
    summary = db.session.execute(
        _joined(select(func.count(Campaign.id), *[func.coalesce(func.sum(getattr(Campaign, f)), 0) for f in TOTAL_FIELDS]))
        .where(conds)
    ).one()
    total = int(summary[0])
    totals = {f: int(v) for f, v in zip(TOTAL_FIELDS, summary[1:])}
    totals["campaigns"] = total

    pages = max(1, -(-total // filters.per_page))
    page = min(filters.page, pages)
    column = SORT_COLUMNS[filters.sort]
    order = column.asc() if filters.direction == "asc" else column.desc()
    tie = Campaign.id.asc() if filters.direction == "asc" else Campaign.id.desc()
    result = db.session.execute(
        _joined(select(Campaign, Operation.name, CampaignType.name, User.email))
        .where(conds)
        .order_by(order, tie)
        .limit(filters.per_page)
        .offset((page - 1) * filters.per_page)
    ).all()
    rows = [CampaignRow(c, op, ct, email) for c, op, ct, email in result]
    return ListPage(rows=rows, total=total, page=page, pages=pages, per_page=filters.per_page, totals=totals)


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20 (None stands for the gap)."""
    wanted = {1, pages, *range(max(1, page - around), min(pages, page + around) + 1)}
    numbers: list[int | None] = []
    previous = 0
    for n in sorted(wanted):
        if n - previous > 1:
            numbers.append(None)
        numbers.append(n)
        previous = n
    return numbers
