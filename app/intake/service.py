"""The whole import, shared by the admin form and the API (same parser, same results)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

from flask import current_app
from sqlalchemy import insert, select, update

from app import audit
from app.campaigns.scheduling import schedule_start
from app.campaigns.selection import campaign_day
from app.extensions import db
from app.models import Campaign, CampaignType, ImportIssue, Operation
from app.models.campaigns import CANCELED, SCHEDULED
from app.web import bounded_int

from .errors import DuplicateCampaign, IntakeRefused
from .parser import EXAMPLE_REFUSAL, Issue, LineParser
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
                    stream: BinaryIO, filename: str, user=None, allow_duplicate: bool = False) -> ImportResult:
    """Parse, validate and store a spreadsheet as a new scheduled campaign.

    Raises IntakeRefused (nothing stored) when the file cannot become a campaign, and
    DuplicateCampaign (nothing stored) when the same clients are already in a campaign of the
    operation for that day, unless `allow_duplicate`.
    """
    source = open_source(stream, filename or "", limits())
    try:
        _check_columns(source)
        campaign = Campaign(
            operation_id=operation.id, campaign_type_id=campaign_type.id, scheduled_at=scheduled_at,
            campaign_day=campaign_day(scheduled_at), status=SCHEDULED,
            source_filename=(filename or "")[-255:], created_by_id=getattr(user, "id", None),
        )
        db.session.add(campaign)
        db.session.flush()
        parser = LineParser(source.columns, current_app.config["MAX_ROWS"])
        with ClientWriter(db.session.connection(), campaign.id,
                          cpf_column=source.columns.title(source.columns.cpf, "CPF")) as writer:
            for batch in parser.batches(source.rows):
                writer.write(batch)
        if parser.example_lines:
            raise IntakeRefused(EXAMPLE_REFUSAL)
    except BaseException:
        db.session.rollback()
        raise
    finally:
        source.close()

    warnings = sorted(parser.warnings + writer.warnings, key=lambda i: (i.line or 0))
    if writer.clients == 0:
        db.session.rollback()
        raise IntakeRefused(_nothing_valid(parser.data_lines), rejected=parser.rejected, warnings=warnings)
    if not allow_duplicate:
        _refuse_duplicate(campaign, writer.content_hash)
    connection = db.session.connection()
    issues = [{"campaign_id": campaign.id, "kind": i.kind, "line": i.line, "column": i.column,
               "value": i.value, "reason": i.reason} for i in parser.rejected + warnings]
    if issues:
        connection.execute(insert(ImportIssue.__table__), issues)
    connection.execute(update(Campaign.__table__).where(Campaign.__table__.c.id == campaign.id).values(
        records=writer.clients, emails_total=writer.emails, lines_rejected=len(parser.rejected),
        content_hash=writer.content_hash))
    audit.record("campaign.create", target=campaign, user=user, details={
        "operation": operation.code, "campaign_type": campaign_type.name, "clients": writer.clients,
        "emails": writer.emails, "rejected": len(parser.rejected), "source": source.kind})
    db.session.commit()
    db.session.refresh(campaign)
    log.info("campaign=%s imported clients=%s emails=%s rejected=%s", campaign.id, writer.clients, writer.emails,
             len(parser.rejected))
    start = schedule_start(campaign.id, scheduled_at)
    return ImportResult(campaign, writer.clients, writer.emails, parser.rejected, warnings, start)


def _refuse_duplicate(campaign: Campaign, content_hash: str) -> None:
    """Roll the import back if a campaign of the same operation and day, not canceled, has these clients."""
    other = db.session.execute(
        select(Campaign.id).where(Campaign.operation_id == campaign.operation_id,
                                  Campaign.campaign_day == campaign.campaign_day, Campaign.content_hash == content_hash,
                                  Campaign.status != CANCELED, Campaign.id != campaign.id)
        .order_by(Campaign.id).limit(1)
    ).scalar()
    if other is not None:
        day = campaign.campaign_day
        db.session.rollback()
        raise DuplicateCampaign(other, day)


def _check_columns(source) -> None:
    if source.columns.cpf is None:
        raise IntakeRefused("A planilha não tem a coluna CPF. A primeira linha deve ter os títulos CPF e EMAIL "
                            "(baixe o modelo para ver o formato).")
    if not source.columns.emails:
        raise IntakeRefused("A planilha não tem coluna de e-mail (EMAIL, E-MAIL, EMAIL1 a EMAIL10 ou EMAILS). "
                            "Baixe o modelo para ver o formato.")


def _nothing_valid(data_lines: int) -> str:
    if data_lines == 0:
        return "A planilha não tem nenhuma linha de dados abaixo do cabeçalho."
    return f"Nenhuma linha válida: as {data_lines} linhas foram recusadas. Corrija a planilha e envie de novo."
