"""Why a file could not become a campaign."""
from __future__ import annotations


class IntakeRefused(Exception):
    """The whole file is refused; `message` is pt-BR for the person who sent it."""

    def __init__(self, message: str, rejected: list | None = None, warnings: list | None = None):
        super().__init__(message)
        self.message = message
        self.rejected = rejected or []
        self.warnings = warnings or []


class DuplicateCampaign(Exception):
    """The same clients for the same operation and day are already in a campaign that is not canceled."""

    def __init__(self, campaign_id: int, day):
        self.campaign_id = campaign_id
        self.day = day
        self.message = (f"A campanha #{campaign_id} já tem este arquivo para {day.strftime('%d/%m/%Y')}. "
                        "Cadastrar mesmo assim?")
        super().__init__(self.message)
