"""Rows for the report tests, with the counters bumped the way the workers bump them."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from app.extensions import db
from app.models import Agreement, Boleto, Campaign, CampaignClient, CampaignType, Delivery, Operation
from app.models.campaigns import (
    COMPLETED,
    DELIVERY_FAILED,
    DELIVERY_PENDING,
    DELIVERY_SENT,
    OUTCOME_API_ERROR,
    OUTCOME_CONFIG_ERROR,
    OUTCOME_NO_AGREEMENT,
    OUTCOME_NOTHING_DUE,
    OUTCOME_PENDING,
    OUTCOME_READY,
)
from app.models.campaigns import bump_counters as bump
from app.timeutil import local_date, now_utc


def make_cpf(seed: int) -> str:
    """A valid CPF built from a number (check digits computed)."""
    base = [int(d) for d in f"{seed % 10**9:09d}"]
    for _ in range(2):
        weight = len(base) + 1
        total = sum(d * (weight - i) for i, d in enumerate(base))
        digit = (total * 10) % 11
        base.append(0 if digit == 10 else digit)
    return "".join(map(str, base))


def campaign_type(op_code: str = "CLARO", name: str | None = None) -> CampaignType:
    query = db.select(CampaignType).join(Operation).where(Operation.code == op_code)
    if name:
        query = query.where(CampaignType.name == name)
    return db.session.execute(query.order_by(CampaignType.id).limit(1)).scalar_one()


def make_campaign(scheduled_at: datetime | None = None, op_code: str = "CLARO", type_name: str | None = None,
                  status: str = COMPLETED, created_by=None, **fields) -> Campaign:
    ctype = campaign_type(op_code, type_name)
    scheduled_at = scheduled_at or now_utc()
    campaign = Campaign(operation_id=ctype.operation_id, campaign_type_id=ctype.id, scheduled_at=scheduled_at,
                        campaign_day=local_date(scheduled_at), status=status,
                        created_by_id=getattr(created_by, "id", None), source_filename="clientes.xlsx", **fields)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def make_client(campaign: Campaign, seed: int, emails=("cliente@exemplo.com.br",), outcome: str = OUTCOME_PENDING,
                name: str | None = None, error: str | None = None) -> CampaignClient:
    """A client as intake stores it, then collected with `outcome` (counters bumped like the workers)."""
    client = CampaignClient(campaign_id=campaign.id, cpf=make_cpf(seed), emails="\n".join(emails),
                            name=name or f"Cliente {seed}", line=seed + 1, outcome=outcome, error=error)
    db.session.add(client)
    db.session.flush()
    bump(campaign.id, records=1, emails_total=len(emails))
    counter = {OUTCOME_NO_AGREEMENT: "clients_no_agreement", OUTCOME_NOTHING_DUE: "clients_nothing_due",
               OUTCOME_READY: "clients_ready", OUTCOME_API_ERROR: "clients_api_error",
               OUTCOME_CONFIG_ERROR: "clients_config_error"}.get(outcome)
    if counter:
        bump(campaign.id, clients_collected=1, **{counter: 1})
    db.session.commit()
    return client


def make_boleto(client: CampaignClient, due: date, selected: bool = True, valid: bool = True,
                amount: str = "150.00", invalid_reason: str | None = None, number: int = 1) -> Boleto:
    agreement = Agreement(campaign_id=client.campaign_id, client_id=client.id, external_id=f"AC-{client.id}-{number}")
    db.session.add(agreement)
    db.session.flush()
    boleto = Boleto(campaign_id=client.campaign_id, client_id=client.id, agreement_id=agreement.id,
                    external_id=f"P-{number}", number=number, total=12, amount=Decimal(amount), due_date=due,
                    status="aberta", valid=valid, invalid_reason=invalid_reason, selected=selected and valid)
    db.session.add(boleto)
    bump(client.campaign_id, agreements=1, boletos_total=1, boletos_selected=1 if boleto.selected else 0,
         boletos_invalid=0 if valid else 1)
    db.session.commit()
    return boleto


def make_delivery(client: CampaignClient, email: str, status: str = DELIVERY_PENDING,
                  last_error: str | None = None) -> Delivery:
    delivery = Delivery(campaign_id=client.campaign_id, client_id=client.id, email=email, status=status,
                        attempts=0 if status == DELIVERY_PENDING else 1, last_error=last_error,
                        sent_at=now_utc() if status == DELIVERY_SENT else None)
    db.session.add(delivery)
    bump(client.campaign_id, **{{DELIVERY_SENT: "emails_sent", DELIVERY_FAILED: "emails_failed"}.get(status, "emails_pending"): 1})
    db.session.commit()
    return delivery


def campaign_with_every_outcome(status: str = COMPLETED, **fields) -> Campaign:
    """One client per report bucket, plus a client with two addresses (one sent, one failed).

    sent: seeds 1 and 2; failed: 3; send pending: 4; no agreement: 5; nothing due: 6;
    invalid boleto: 7; API error: 8; configuration error: 9; waiting for collection: 10.
    """
    campaign = make_campaign(status=status, **fields)
    day = campaign.campaign_day
    sent = make_client(campaign, 1, ["ana@exemplo.com.br"], OUTCOME_READY)
    make_boleto(sent, day)
    make_delivery(sent, "ana@exemplo.com.br", DELIVERY_SENT)
    mixed = make_client(campaign, 2, ["bia@exemplo.com.br", "bia@trabalho.com.br"], OUTCOME_READY)
    make_boleto(mixed, day + timedelta(days=7))
    make_delivery(mixed, "bia@exemplo.com.br", DELIVERY_SENT)
    make_delivery(mixed, "bia@trabalho.com.br", DELIVERY_FAILED, "550 5.1.1 Mailbox unavailable")
    failed = make_client(campaign, 3, ["caio@exemplo.com.br"], OUTCOME_READY)
    make_boleto(failed, day)
    make_delivery(failed, "caio@exemplo.com.br", DELIVERY_FAILED, "550 5.1.1 User unknown")
    pending = make_client(campaign, 4, ["davi@exemplo.com.br"], OUTCOME_READY)
    make_boleto(pending, day)
    make_delivery(pending, "davi@exemplo.com.br", DELIVERY_PENDING)
    make_client(campaign, 5, ["eva@exemplo.com.br"], OUTCOME_NO_AGREEMENT)
    nothing = make_client(campaign, 6, ["fabio@exemplo.com.br"], OUTCOME_NOTHING_DUE)
    make_boleto(nothing, day + timedelta(days=30), selected=False)
    invalid = make_client(campaign, 7, ["gil@exemplo.com.br"], OUTCOME_NOTHING_DUE)
    make_boleto(invalid, day, valid=False, invalid_reason="Linha digitável com dígito verificador errado")
    make_client(campaign, 8, ["hugo@exemplo.com.br"], OUTCOME_API_ERROR, error="HTTP 503 após 3 tentativas")
    make_client(campaign, 9, ["iris@exemplo.com.br"], OUTCOME_CONFIG_ERROR, error="Operação sem URL do provedor")
    make_client(campaign, 10, ["=HYPERLINK(\"http://x\")@exemplo.com.br"], OUTCOME_PENDING, name="=1+1")
    db.session.refresh(campaign)
    return campaign
