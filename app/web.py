"""Jinja filters and globals used by every page."""
from __future__ import annotations

from decimal import Decimal

from flask_login import current_user
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from app.security.masking import cpf_for, mask_cpf
from app.timeutil import fmt_date, fmt_datetime


def brl(value) -> str:
    """1234.5 -> 'R$ 1.234,50'."""
    if value is None:
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    whole = f"{int(whole):,}".replace(",", ".")
    return f"{sign}R$ {whole},{cents}"


def number(value) -> str:
    """12345 -> '12.345'."""
    return f"{int(value or 0):,}".replace(",", ".")


def register_template_helpers(app) -> None:
    app.jinja_env.filters.update(
        datetime_br=fmt_datetime,
        date_br=fmt_date,
        brl=brl,
        number=number,
        mask_cpf=mask_cpf,
        cpf_for_user=lambda cpf: cpf_for(current_user, cpf),
    )


MAX_ID = 2**31 - 1  # every id column is an INTEGER (models use Integer primary keys)


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` that matches only what an id column can hold (INTEGER: 2**31-1 on PostgreSQL).

    Werkzeug's converter accepts any length of digits; an id past the column's
    range then overflows in the database driver (a 500). Out of range is simply not found.
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound()  # not "no such route" (werkzeug would answer 405 for another method): no such id
        return number
