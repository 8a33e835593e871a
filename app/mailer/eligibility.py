"""Whether a service can send for an operation now: one rule for rotation, sending and the binding page."""
from __future__ import annotations

from app.models import EmailService

from . import quota


def unusable_reasons(service: EmailService | None, sender: str, month: str | None = None) -> list[str]:
    """Every reason `service` cannot send as `sender` now (pt-BR; empty: it can).

    Ignores `in_rotation`: a service bound by hand (even SERVICO_1) may send; only the
    automatic rotation skips services out of rotation (`eligible`).
    """
    if service is None:
        return ["Nenhum serviço configurado"]
    reasons = []
    if not service.active:
        reasons.append("Serviço inativo")
    if service.broken_at is not None:
        reasons.append(f"Serviço com defeito: {service.broken_reason or ''}".strip())
    if service.unreachable_at is not None:
        reasons.append(f"Serviço sem conexão: {service.unreachable_reason or ''}".strip())
    if not service.allows_sender(sender):
        reasons.append(f"O serviço não permite enviar como {sender}")
    usage = quota.usage(service, month)
    if usage.exhausted:
        reasons.append(f"Limite de envios esgotado ({usage.exhausted_reason})")
    return reasons


def unusable_reason(service: EmailService | None, sender: str, month: str | None = None) -> str | None:
    """The first reason `service` cannot send as `sender` now (None: it can)."""
    reasons = unusable_reasons(service, sender, month)
    return reasons[0] if reasons else None


def eligible(service: EmailService, sender: str, month: str | None = None) -> bool:
    """May the automatic rotation choose `service`?"""
    return service.in_rotation and not unusable_reasons(service, sender, month)
