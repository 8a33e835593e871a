"""Rows for the sending tests: services on the test SMTP server, bindings, campaigns ready to send."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from app.extensions import db
from app.models import (
    Agreement,
    Boleto,
    Campaign,
    CampaignClient,
    CampaignType,
    Delivery,
    EmailService,
    Operation,
    OperationBinding,
)
from app.models.campaigns import SENDING

from .factories import make_service

SENDERS = {"CLARO": "boletos@claro.exemplo.com.br", "NET": "boletos@net.exemplo.com.br",
           "SEMPARAR": "boletos@semparar.exemplo.com.br"}
LINE = "00190500954014481606906809350314337370000000100"


def operation(code: str = "CLARO") -> Operation:
    return db.session.execute(db.select(Operation).filter_by(code=code)).scalar_one()


def make_services(server, count: int = 4, quotas: dict[str, int] | None = None, **fields) -> dict[str, EmailService]:
    """SERVICO_1..SERVICO_n on `server` (SERVICO_1 out of rotation), each an account there.

    One SMTP session per service unless `max_connections` says otherwise: most sending tests speak of one
    conversation in order; the tests of concurrent sessions ask for more.
    """
    quotas = quotas or {}
    fields.setdefault("max_connections", 1)
    services = {}
    for n in range(1, count + 1):
        name = f"SERVICO_{n}"
        password = f"senha-{n}"
        server.add_account(name.lower(), password)
        services[name] = make_service(name, host=server.host, port=server.port, security="none",
                                      username=name.lower(), password=password,
                                      monthly_quota=quotas.get(name, 1000), rotation_order=n,
                                      in_rotation=n != 1, **fields)
    return services


def bind(code: str, service: EmailService | None, sender: str | None = None) -> OperationBinding:
    op = operation(code)
    binding = db.session.execute(db.select(OperationBinding).filter_by(operation_id=op.id)).scalar_one_or_none()
    if binding is None:
        binding = OperationBinding(operation_id=op.id, sender_email=sender or SENDERS[code])
        db.session.add(binding)
    binding.sender_email = sender or SENDERS[code]
    binding.service_id = service.id if service else None
    db.session.commit()
    return binding


def make_sending_campaign(code: str = "CLARO", clients: int = 3, emails_per_client: int = 1,
                          boletos_per_client: int = 1, status: str = SENDING, pdf_url: str | None = None,
                          email_prefix: str = "cliente") -> Campaign:
    """A campaign in `status` with clients, one agreement each, selected boletos and pending deliveries."""
    op = operation(code)
    ctype = db.session.execute(db.select(CampaignType).filter_by(operation_id=op.id)).scalars().first()
    when = datetime.now(timezone.utc)
    campaign = Campaign(operation_id=op.id, campaign_type_id=ctype.id, scheduled_at=when, campaign_day=when.date(),
                        status=status, source_filename="teste.xlsx", started_at=when)
    db.session.add(campaign)
    db.session.flush()
    deliveries = 0
    for c in range(clients):
        client = CampaignClient(campaign_id=campaign.id, cpf=f"{c:011d}", name=f"Cliente {c}", line=c + 2,
                                emails="\n".join(f"{email_prefix}{campaign.id}-{c}-{e}@exemplo.com.br"
                                                 for e in range(emails_per_client)),
                                outcome="ready")
        db.session.add(client)
        db.session.flush()
        agreement = Agreement(campaign_id=campaign.id, client_id=client.id, external_id=f"AC-{campaign.id}-{c}")
        db.session.add(agreement)
        db.session.flush()
        for b in range(boletos_per_client):
            db.session.add(Boleto(campaign_id=campaign.id, client_id=client.id, agreement_id=agreement.id,
                                  external_id=f"BL-{campaign.id}-{c}-{b}", number=b + 1, total=boletos_per_client,
                                  amount=Decimal("1234.56") + b, due_date=date.today() + timedelta(days=7 * b),
                                  status="aberta", line=LINE, pix="00020126580014br.gov.bcb.pix" if b == 0 else None,
                                  pdf_url=pdf_url, valid=True, selected=True))
        for address in client.email_list:
            db.session.add(Delivery(campaign_id=campaign.id, client_id=client.id, email=address))
            deliveries += 1
    campaign.records = clients
    campaign.clients_ready = clients
    campaign.boletos_selected = clients * boletos_per_client
    campaign.emails_pending = deliveries
    db.session.commit()
    return campaign
