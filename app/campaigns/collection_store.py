"""Storing a chunk's results: each client's outcome, its agreements, boletos and deliveries, and the counters.

Answers are stored in batches, one transaction each: per client a guarded
`UPDATE campaign_clients SET outcome=... WHERE outcome='pending'` comes first
(`_claim`), and only the winner inserts agreements, boletos and deliveries and
counts them, so a chunk run twice (or by two workers at once) creates nothing
twice. Kept apart from the job (app.campaigns.collection) because it is the
write path: what a provider answer becomes in the database.
"""
from __future__ import annotations

from sqlalchemy import bindparam, func, insert, select, update

from app.boletos.details import DETAIL_FIELDS
from app.campaigns.collection_chunks import renew_lease
from app.campaigns.selection import is_selected
from app.extensions import db
from app.models import Agreement, Boleto, CampaignClient, Delivery
from app.models.campaigns import (
    DELIVERY_PENDING,
    OUTCOME_API_ERROR,
    OUTCOME_CONFIG_ERROR,
    OUTCOME_NO_AGREEMENT,
    OUTCOME_NOTHING_DUE,
    OUTCOME_PENDING,
    OUTCOME_READY,
    bump_counters,
)
from app.providers import client as provider
from app.timeutil import now_utc

_OUTCOME_COUNTER = {
    OUTCOME_NO_AGREEMENT: "clients_no_agreement",
    OUTCOME_NOTHING_DUE: "clients_nothing_due",
    OUTCOME_READY: "clients_ready",
    OUTCOME_API_ERROR: "clients_api_error",
    OUTCOME_CONFIG_ERROR: "clients_config_error",
}
CONFIG_FAULT_REASON = "Token da API da operação recusado (HTTP 401/403); chamadas suspensas nesta campanha"


def store_batch(campaign_id: int, chunk_id: int, batch: list, due_dates) -> None:
    """Store a batch of answers in one transaction; each client only if it was still pending."""
    now = now_utc()
    planned = []
    for row, result in batch:
        outcome, error, plan = _outcome_of(result, due_dates)
        name = result.answer.name if result.answer and result.answer.name else None
        planned.append((row, result, outcome, error, plan, name))
    stored = [(row, outcome, plan) for row, result, outcome, error, plan, name in _claim(planned, now)]
    deltas: dict[str, int] = {}
    for row, outcome, plan in stored:
        _add(deltas, _OUTCOME_COUNTER[outcome], 1)
        _add(deltas, "clients_collected", 1)
    writer = _RowWriter(campaign_id, [row.id for row, _, _ in stored], deltas, now)
    agreements = writer.agreements(stored)
    writer.boletos_and_deliveries(stored, agreements)
    bump_counters(campaign_id, **deltas)
    renew_lease(chunk_id)
    db.session.commit()


class _RowWriter:
    """Inserts what the claimed clients brought, check-then-insert: rows a client may already have (a rerun)
    are reused, never doubled. Core executemany inserts: the ORM's per-object unit of work cost ~1 ms a row here."""

    def __init__(self, campaign_id: int, client_ids: list[int], deltas: dict, now):
        self.campaign_id, self.client_ids, self.deltas, self.now = campaign_id, client_ids, deltas, now

    def agreements(self, stored: list) -> dict:
        """(client id, agreement external id) -> agreement id, inserting the new ones."""
        known = self._known_agreements()
        new = []
        for row, outcome, plan in stored:
            for agreement_data, _parcelas in plan:
                key = (row.id, agreement_data.id)
                if key not in known:
                    known[key] = None
                    new.append({"campaign_id": self.campaign_id, "client_id": row.id, "external_id": agreement_data.id})
                _add(self.deltas, "agreements", 1)
        if new:
            db.session.execute(insert(Agreement.__table__), new)
            known = self._known_agreements()
        return known

    def _known_agreements(self) -> dict:
        rows = db.session.execute(select(Agreement.client_id, Agreement.external_id, Agreement.id)
                                  .where(Agreement.client_id.in_(self.client_ids)))
        return {(client_id, external_id): agreement_id for client_id, external_id, agreement_id in rows}

    def boletos_and_deliveries(self, stored: list, agreements: dict) -> None:
        boletos = {(b.agreement_id, b.external_id) for b in db.session.execute(
            select(Boleto.agreement_id, Boleto.external_id).where(Boleto.client_id.in_(self.client_ids)))}
        deliveries = set(db.session.execute(
            select(Delivery.client_id, Delivery.email).where(Delivery.client_id.in_(self.client_ids))).all())
        new_boletos, new_deliveries = [], []
        for row, outcome, plan in stored:
            for agreement_data, parcelas in plan:
                agreement_id = agreements[(row.id, agreement_data.id)]
                for parcela, selected in parcelas:
                    _add(self.deltas, "boletos_total", 1)
                    _add(self.deltas, "boletos_invalid", 0 if parcela.valid else 1)
                    _add(self.deltas, "boletos_selected", 1 if selected else 0)
                    if (agreement_id, parcela.id) not in boletos:
                        boletos.add((agreement_id, parcela.id))
                        new_boletos.append(self._boleto_row(row.id, agreement_id, parcela, selected))
            if outcome == OUTCOME_READY:
                for email in [e for e in (row.emails or "").split("\n") if e]:
                    if (row.id, email) not in deliveries:
                        deliveries.add((row.id, email))
                        new_deliveries.append({"campaign_id": self.campaign_id, "client_id": row.id, "email": email,
                                               "status": DELIVERY_PENDING, "attempts": 0, "created_at": self.now})
                        _add(self.deltas, "emails_pending", 1)
        if new_boletos:
            db.session.execute(insert(Boleto.__table__), new_boletos)
        if new_deliveries:
            db.session.execute(insert(Delivery.__table__), new_deliveries)

    def _boleto_row(self, client_id: int, agreement_id: int, parcela, selected: bool) -> dict:
        return dict(campaign_id=self.campaign_id, client_id=client_id, agreement_id=agreement_id,
                    external_id=parcela.id, number=parcela.number, total=parcela.total, amount=parcela.amount,
                    due_date=parcela.due_date, status=parcela.status, line=parcela.line, barcode=parcela.barcode,
                    pix=parcela.pix, pdf_url=parcela.pdf_url, valid=parcela.valid,
                    invalid_reason=parcela.invalid_reason, selected=selected,
                    **{name: getattr(parcela, name) for name in DETAIL_FIELDS})


def _claim(planned: list, now) -> list:
    """Set each client's outcome only where it is still pending; returns the clients this call claimed.

    Fast path: one executemany of guarded UPDATEs; when every row matched, all
    are ours. Otherwise (another run stored some of them) the transaction is
    rolled back — the claim is its first write — and redone client by client
    to learn which ones are ours. (No SAVEPOINT: pysqlite would commit on RELEASE.)
    """
    table = CampaignClient.__table__
    statement = (update(table).where(table.c.id == bindparam("b_id"), table.c.outcome == OUTCOME_PENDING)
                 .values(outcome=bindparam("b_outcome"), error=bindparam("b_error"), collected_at=now,
                         name=func.coalesce(bindparam("b_name"), table.c.name)))
    params = [{"b_id": row.id, "b_outcome": outcome, "b_error": error, "b_name": name}
              for row, result, outcome, error, plan, name in planned]
    connection = db.session.connection()
    if connection.dialect.supports_sane_multi_rowcount:
        if connection.execute(statement, params).rowcount == len(params):
            return planned
        db.session.rollback()
        connection = db.session.connection()
    return [item for item, one in zip(planned, params) if connection.execute(statement, one).rowcount == 1]


def _add(deltas: dict, name: str, value: int) -> None:
    if value:
        deltas[name] = deltas.get(name, 0) + value


def _outcome_of(result, due_dates):
    """(outcome, error, [(agreement, [(parcela, selected)])]) for one fetch result."""
    if result.kind == provider.NOT_FOUND:
        return OUTCOME_NO_AGREEMENT, None, []
    if result.kind == provider.CONFIG_ERROR:
        return OUTCOME_CONFIG_ERROR, result.reason or CONFIG_FAULT_REASON, []
    if result.kind != provider.FOUND:
        return OUTCOME_API_ERROR, (result.reason or "Erro na API")[:1000], []
    plan = []
    any_selected = False
    for agreement in result.answer.agreements:
        parcelas = []
        for parcela in agreement.parcelas:
            selected = is_selected(parcela.status, parcela.valid, parcela.due_date, due_dates)
            any_selected = any_selected or selected
            parcelas.append((parcela, selected))
        plan.append((agreement, parcelas))
    if not plan:
        return OUTCOME_NO_AGREEMENT, None, plan
    return (OUTCOME_READY if any_selected else OUTCOME_NOTHING_DUE), None, plan
