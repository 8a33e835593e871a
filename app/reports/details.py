"""'Detalhes da campanha': the campaign, its timeline, its clients page, rotations and alerts."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Alert, Boleto, Campaign, CampaignClient, Delivery, EmailService, Rotation
from app.models.campaigns import (
    DELIVERY_SENT,
    OUTCOME_NOTHING_DUE,
    OUTCOME_READY,
)
from app.reports import outcomes
from app.reports.client_search import client_condition
from app.timeutil import now_utc

CLIENT_PAGE_SIZE = 25


def load_campaign(campaign_id: int) -> Campaign | None:
    return db.session.execute(
        select(Campaign)
        .options(joinedload(Campaign.operation), joinedload(Campaign.campaign_type), joinedload(Campaign.created_by))
        .where(Campaign.id == campaign_id)
    ).unique().scalar_one_or_none()


def timeline(campaign: Campaign) -> list[tuple[str, object]]:
    return [
        ("Criada", campaign.created_at),
        ("Agendada para", campaign.scheduled_at),
        ("Iniciada", campaign.started_at),
        ("Coleta concluída", campaign.collected_at),
        ("Finalizada", campaign.finished_at),
    ]


@dataclass
class ClientRow:
    client: CampaignClient
    bucket: str
    deliveries: list[Delivery] = field(default_factory=list)
    boletos: list[Boleto] = field(default_factory=list)

    @property
    def bucket_label(self) -> str:
        return outcomes.BUCKET_LABELS.get(self.bucket, self.bucket)


@dataclass
class ClientsPage:
    rows: list[ClientRow]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def footer(self) -> str:
        if self.total == 0:
            return "Nenhum cliente encontrado"
        first = (self.page - 1) * self.per_page + 1
        return f"{first} ao {min(self.page * self.per_page, self.total)} de {self.total} registros"


def client_bucket(client: CampaignClient, deliveries: list[Delivery], boletos: list[Boleto]) -> str:
    """The same rule as `outcomes.bucket_condition`, for rows already loaded."""
    if client.outcome == OUTCOME_READY:
        statuses = {d.status for d in deliveries}
        if DELIVERY_SENT in statuses:
            return outcomes.SENT
        return outcomes.unsent_bucket(statuses) or outcomes.SEND_PENDING
    if client.outcome == OUTCOME_NOTHING_DUE and any(not b.valid for b in boletos):
        return outcomes.INVALID_BOLETO
    return client.outcome


def attach_children(clients: list[CampaignClient]) -> list[ClientRow]:
    """Deliveries and the relevant boletos (selected or invalid) of many clients: two IN queries."""
    ids = [c.id for c in clients]
    deliveries: dict[int, list[Delivery]] = defaultdict(list)
    boletos: dict[int, list[Boleto]] = defaultdict(list)
    if ids:
        for d in db.session.execute(
            select(Delivery).where(Delivery.client_id.in_(ids)).order_by(Delivery.client_id, Delivery.id)
        ).scalars():
            deliveries[d.client_id].append(d)
        for b in db.session.execute(
            select(Boleto)
            .where(Boleto.client_id.in_(ids), or_(Boleto.selected.is_(True), Boleto.valid.is_(False)))
            .order_by(Boleto.client_id, Boleto.due_date, Boleto.id)
        ).scalars():
            boletos[b.client_id].append(b)
    return [
        ClientRow(c, client_bucket(c, deliveries[c.id], boletos[c.id]), deliveries[c.id], boletos[c.id])
        for c in clients
    ]


def clients_page(campaign: Campaign, bucket: str | None = None, page: int = 1,
                 per_page: int = CLIENT_PAGE_SIZE, search: str = "") -> ClientsPage:
    """A page of the campaign's clients, of one result bucket and/or one CPF or e-mail (`search`;
    text that is neither matches nothing rather than everything)."""
    conds = [CampaignClient.campaign_id == campaign.id]
    if bucket:
        conds.append(outcomes.bucket_condition(bucket))
    if search:
        condition = client_condition(search)
        conds.append(condition if condition is not None else CampaignClient.id.is_(None))
    if bucket is None and not search:
        total = campaign.records or 0  # the counter: no count(*) over a big campaign
    else:
        total = db.session.execute(select(func.count(CampaignClient.id)).where(*conds)).scalar_one()
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    clients = db.session.execute(
        select(CampaignClient).where(*conds).order_by(CampaignClient.id)
        .limit(per_page).offset((page - 1) * per_page)
    ).scalars().all()
    return ClientsPage(attach_children(clients), total, page, pages, per_page)


def iter_client_rows(campaign: Campaign, bucket: str | None = None, batch: int = 1000):
    """Every client of the campaign (for exports), in batches with their children IN-loaded."""
    conds = [CampaignClient.campaign_id == campaign.id]
    if bucket:
        conds.append(outcomes.bucket_condition(bucket))
    last_id = 0
    while True:
        clients = db.session.execute(
            select(CampaignClient).where(*conds, CampaignClient.id > last_id).order_by(CampaignClient.id).limit(batch)
        ).scalars().all()
        if not clients:
            return
        rows = attach_children(clients)
        yield from rows
        last_id = clients[-1].id
        for row in rows:  # keep the identity map small on big campaigns
            for obj in (row.client, *row.deliveries, *row.boletos):
                db.session.expunge(obj)


def _window(campaign: Campaign):
    start = campaign.started_at
    end = campaign.finished_at or now_utc()
    return start, end


def rotations_during(campaign: Campaign, limit: int = 50) -> list[Rotation]:
    """Rotations tied to the campaign, or of its operation while it ran."""
    start, end = _window(campaign)
    match = [Rotation.campaign_id == campaign.id]
    if start is not None:
        match.append((Rotation.operation_id == campaign.operation_id) & Rotation.created_at.between(start, end))
    return db.session.execute(
        select(Rotation)
        .options(joinedload(Rotation.from_service), joinedload(Rotation.to_service), joinedload(Rotation.user))
        .where(or_(*match)).order_by(Rotation.created_at.desc()).limit(limit)
    ).unique().scalars().all()


def alerts_during(campaign: Campaign, limit: int = 50) -> list[Alert]:
    """Alerts tied to the campaign, or sent while it ran about its operation or about no operation."""
    start, end = _window(campaign)
    match = [Alert.campaign_id == campaign.id]
    if start is not None:
        match.append(
            or_(Alert.operation_id == campaign.operation_id, Alert.operation_id.is_(None))
            & Alert.created_at.between(start, end)
        )
    return db.session.execute(
        select(Alert).where(or_(*match)).order_by(Alert.created_at.desc()).limit(limit)
    ).scalars().all()


def service_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(EmailService.id, EmailService.name).where(EmailService.id.in_(ids))).all())
