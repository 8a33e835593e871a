"""The campaign list's filters, read from the query string with pt-BR messages for bad input."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.models.campaigns import CAMPAIGN_STATUSES
from app.timeutil import in_supported_range, local_date, now_utc
from app.web import MAX_ID, MAX_PAGE, bounded_int

PAGE_SIZES = (5, 10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 10
DEFAULT_WINDOW_DAYS = 7
SORT_KEYS = ("data", "operacao", "campanha", "registros", "acordos", "enviados", "status")
DEFAULT_SORT = "data"


@dataclass
class ListFilters:
    start: date
    end: date
    operation_id: int | None = None
    status: str | None = None
    search: str = ""
    sort: str = DEFAULT_SORT
    direction: str = "desc"
    page: int = 1
    per_page: int = DEFAULT_PAGE_SIZE
    errors: list[str] = field(default_factory=list)

    def query_args(self, **changes) -> dict:
        """The query string that reproduces these filters (with `changes`), for links."""
        args = {
            "data_inicial": self.start.isoformat(),
            "data_final": self.end.isoformat(),
            "operacao": self.operation_id or "",
            "status": self.status or "",
            "busca": self.search,
            "ordem": self.sort,
            "direcao": self.direction,
            "pagina": self.page,
            "por_pagina": self.per_page,
        }
        args.update(changes)
        return {k: v for k, v in args.items() if v not in ("", None)}


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or local_date(now_utc())
    return today - timedelta(days=DEFAULT_WINDOW_DAYS), today + timedelta(days=DEFAULT_WINDOW_DAYS)


def parse_date(text: str | None) -> date | None:
    """'2020-08-05' (the date input) or '05/08/2020' (typed by hand) -> date; None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if not in_supported_range(day):  # 31/12/9999 + one day would overflow
            raise ValueError(text)
        return day
    raise ValueError(text)


def _positive_int(text: str | None, high: int = MAX_ID) -> int | None:
    return bounded_int(text, low=1, high=high)


def parse_list_filters(args) -> ListFilters:
    errors: list[str] = []
    start_default, end_default = default_period()
    start, end = start_default, end_default
    try:
        start = parse_date(args.get("data_inicial")) or start_default
    except ValueError:
        errors.append("Data Inicial inválida: use o formato dd/mm/aaaa.")
    try:
        end = parse_date(args.get("data_final")) or end_default
    except ValueError:
        errors.append("Data Final inválida: use o formato dd/mm/aaaa.")
    if start > end:
        errors.append("A Data Inicial deve ser anterior ou igual à Data Final: as datas foram invertidas.")
        start, end = end, start

    status = (args.get("status") or "").strip() or None
    if status and status not in CAMPAIGN_STATUSES:
        errors.append("Status desconhecido: o filtro de status foi ignorado.")
        status = None

    sort = args.get("ordem") or DEFAULT_SORT
    if sort not in SORT_KEYS:
        sort = DEFAULT_SORT
    direction = "asc" if args.get("direcao") == "asc" else "desc"

    per_page = _positive_int(args.get("por_pagina")) or DEFAULT_PAGE_SIZE
    if per_page not in PAGE_SIZES:
        per_page = DEFAULT_PAGE_SIZE

    return ListFilters(
        start=start,
        end=end,
        operation_id=_positive_int(args.get("operacao")),
        status=status,
        search=(args.get("busca") or "").strip()[:100],
        sort=sort,
        direction=direction,
        page=bounded_int(args.get("pagina"), low=1, high=MAX_PAGE, default=1, clamp=True),
        per_page=per_page,
        errors=errors,
    )
