"""What the creditor's API answers for a client: agreements ("Acordos") and their installments ("Parcelas")."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class Agreement(db.Model):
    """An agreement ("Acordo") the creditor's API returned for a client."""

    __tablename__ = "agreements"
    __table_args__ = (UniqueConstraint("client_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("campaign_clients.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(100))


class Boleto(db.Model):
    """One installment ("Parcela") of an agreement."""

    __tablename__ = "boletos"
    __table_args__ = (
        UniqueConstraint("agreement_id", "external_id"),
        Index("ix_boletos_client_selected", "client_id", "selected"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("campaign_clients.id", ondelete="CASCADE"))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(100))
    number: Mapped[int | None] = mapped_column()
    total: Mapped[int | None] = mapped_column()
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="")  # aberta | paga | cancelada
    line: Mapped[str | None] = mapped_column(String(48))
    barcode: Mapped[str | None] = mapped_column(String(44))
    pix: Mapped[str | None] = mapped_column(Text)
    pdf_url: Mapped[str | None] = mapped_column(String(1000))
    valid: Mapped[bool] = mapped_column(default=True)
    invalid_reason: Mapped[str | None] = mapped_column(Text)
    selected: Mapped[bool] = mapped_column(default=False)
    # The creditor's optional print fields (app.boletos.details.DETAIL_FIELDS): NULL = blank on the page.
    nosso_numero: Mapped[str | None] = mapped_column(String(40))
    document_number: Mapped[str | None] = mapped_column(String(40))
    document_date: Mapped[date | None] = mapped_column(Date)
    instructions: Mapped[str | None] = mapped_column(Text)  # one instruction per line
    beneficiary_name: Mapped[str | None] = mapped_column(String(200))
    beneficiary_cnpj: Mapped[str | None] = mapped_column(String(14))
    beneficiary_agency_code: Mapped[str | None] = mapped_column(String(60))
    beneficiary_address: Mapped[str | None] = mapped_column(String(300))

    agreement = relationship("Agreement")
