"""Search by a client's whole CPF or e-mail, shared by the campaign list and a campaign's clients.

A CPF (11 digits, with or without its dots and dash) matches exactly the normalised digits,
through the (campaign_id, cpf) unique index; an e-mail matches one of the client's addresses
exactly, without case (addresses are stored in lower case, one per line). The pages show the
results as they show any client: CPFs masked for operators.
"""
from __future__ import annotations

import re

from sqlalchemy import exists, or_

from app.models import Campaign, CampaignClient

_CPF = re.compile(r"^\d{3}\.?\d{3}\.?\d{3}-?\d{2}$")


def cpf_term(text: str) -> str | None:
    """The 11 digits of a whole CPF typed with or without punctuation; None otherwise."""
    text = (text or "").strip().replace(" ", "")
    return re.sub(r"\D", "", text) if _CPF.match(text) else None


def email_term(text: str) -> str | None:
    """A whole e-mail address, in lower case; None when the text is not one."""
    text = (text or "").strip().lower()
    if "@" not in text or any(ch.isspace() for ch in text):
        return None
    return text


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def email_condition(address: str):
    """One of the newline-separated addresses of CampaignClient.emails is `address`."""
    term = _escape(address)
    column = CampaignClient.emails
    return or_(column == address, column.like(f"{term}\n%", escape="\\"), column.like(f"%\n{term}", escape="\\"),
               column.like(f"%\n{term}\n%", escape="\\"))


def client_condition(text: str):
    """The condition on CampaignClient for a CPF or e-mail search; None when `text` is neither."""
    cpf = cpf_term(text)
    if cpf:
        return CampaignClient.cpf == cpf
    address = email_term(text)
    if address:
        return email_condition(address)
    return None


def campaign_has_client(text: str):
    """EXISTS a client of the campaign matching the CPF or e-mail `text`; None when it is neither."""
    condition = client_condition(text)
    if condition is None:
        return None
    return exists().where(CampaignClient.campaign_id == Campaign.id, condition)
