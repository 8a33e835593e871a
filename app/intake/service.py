"""The whole import, shared by the admin form and the API (same parser, same results)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

from flask import current_app
from sqlalchemy import insert, update

from app import audit
from app.campaigns.scheduling import schedule_start
from app.campaigns.selection import campaign_day
from app.extensions import db
from app.models import Campaign, CampaignType, ImportIssue, Operation
from app.models.campaigns import SCHEDULED
from app.web import bounded_int

from .errors import IntakeRefused
from .parser import Issue, LineParser
from .sources import Limits, open_source
from .store import ClientWriter

log = logging.getLogger(__name__)


class ChoiceError(ValueError):
    """An operation or campaign type that cannot be used: (field, pt-BR message)."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass
class ImportResult:
    campaign: Campaign
    clients: int
    emails: int
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    start: str = ""  # started | scheduled | deferred

    def as_api(self) -> dict:
        return {"clients": self.clients, "emails": self.emails,
                "rejected": [i.as_api() for i in self.rejected], "warnings": [i.as_api() for i in self.warnings]}


def resolve_operation(value) -> Operation:
    """An active operation by code (CLARO, NET, SEMPARAR) or id."""
    text = str(value or "").strip()
    if not text:
        raise ChoiceError("operation", "Escolha a operação.")
    query = db.select(Operation)
    if text.isdigit():  # an id: a huge one matches nothing (it would overflow the database's INTEGER)
        query = query.where(Operation.id == (bounded_int(text) or 0))
    else:
        query = query.where(Operation.code == text.upper())
    operation = db.session.execute(query).scalar_one_or_none()
    if operation is None or not operation.active:
        raise ChoiceError("operation", f"Operação desconhecida: {text[:40]}. Use CLARO, NET ou SEMPARAR.")
    return operation


def resolve_campaign_type(operation: Operation, value) -> CampaignType:
    """An active campaign type of this operation, by name (case-insensitive) or id."""
    text = str(value or "").strip()
    if not text:
        raise ChoiceError("campaign_type", "Escolha a campanha.")
    query = db.select(CampaignType)
    if text.isdigit():
        query = query.where(CampaignType.id == (bounded_int(text) or 0))
    else:
        query = query.where(db.func.upper(CampaignType.name) == text.upper())
    candidates = db.session.execute(query).scalars().all()
    own = [t for t in candidates if t.operation_id == operation.id and t.active]
    if own:
        return own[0]
    if any(t.operation_id != operation.id for t in candidates):
        raise ChoiceError("campaign_type", f"A campanha {text[:80]} não pertence à operação {operation.code}.")
    raise ChoiceError("campaign_type", f"Campanha desconhecida ou inativa para a operação {operation.code}: {text[:80]}.")


def limits() -> Limits:
    config = current_app.config
    return Limits(max_rows=config["MAX_ROWS"], max_uncompressed_bytes=config["MAX_XLSX_UNCOMPRESSED_MB"] * 1024 * 1024)


def import_campaign(*, operation: Operation, campaign_type: CampaignType, scheduled_at: datetime,
                    stream: BinaryIO, filename: str, user=None) -> ImportResult:
    """Parse, validate and store a spreadsheet as a new scheduled campaign.

    Raises IntakeRefused (nothing stored) when the file cannot become a campaign.
    """
    source = open_source(stream, filename or "", limits())
    try:
        if source.columns.cpf is None:
            raise IntakeRefused("A planilha não tem a coluna CPF. A primeira linha deve ter os títulos CPF e EMAIL "
                                "(baixe o modelo para ver o formato).")
        if not source.columns.emails:
            raise IntakeRefused("A planilha não tem coluna de e-mail (EMAIL, E-MAIL, EMAIL1 a EMAIL10 ou EMAILS). "
                                "Baixe o modelo para ver o formato.")
        campaign = Campaign(
            operation_id=operation.id, campaign_type_id=campaign_type.id, scheduled_at=scheduled_at,
            campaign_day=campaign_day(scheduled_at), status=SCHEDULED,
            source_filename=(filename or "")[-255:], created_by_id=getattr(user, "id", None),
        )
        db.session.add(campaign)
        db.session.flush()
        parser = LineParser(source.columns, current_app.config["MAX_ROWS"])
        with ClientWriter(db.session.connection(), campaign.id) as writer:
            for batch in parser.batches(source.rows):
                writer.write(batch)
    except BaseException:
        db.session.rollback()
        raise
    finally:
        source.close()

    warnings = sorted(parser.warnings + writer.warnings, key=lambda i: (i.line or 0))
    if writer.clients == 0:
        db.session.rollback()
        if parser.data_lines == 0:
            message = "A planilha não tem nenhuma linha de dados abaixo do cabeçalho."
        else:
            message = (f"Nenhuma linha válida: as {parser.data_lines} linhas foram recusadas. "
                       "Corrija a planilha e envie de novo.")
        raise IntakeRefused(message, rejected=parser.rejected, warnings=warnings)

    connection = db.session.connection()
    issues = [{"campaign_id": campaign.id, "kind": i.kind, "line": i.line, "column": i.column,
               "value": i.value, "reason": i.reason} for i in parser.rejected + warnings]
    if issues:
        connection.execute(insert(ImportIssue.__table__), issues)
    connection.execute(update(Campaign.__table__).where(Campaign.__table__.c.id == campaign.id).values(
        records=writer.clients, emails_total=writer.emails, lines_rejected=len(parser.rejected)))
    audit.record("campaign.create", target=campaign, user=user, details={
        "operation": operation.code, "campaign_type": campaign_type.name, "clients": writer.clients,
        "emails": writer.emails, "rejected": len(parser.rejected), "source": source.kind})
    db.session.commit()
    db.session.refresh(campaign)
    log.info("campaign=%s imported clients=%s emails=%s rejected=%s", campaign.id, writer.clients, writer.emails,
             len(parser.rejected))
    start = schedule_start(campaign.id, scheduled_at)
    return ImportResult(campaign, writer.clients, writer.emails, parser.rejected, warnings, start)
