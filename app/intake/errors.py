"""Why a file could not become a campaign."""
from __future__ import annotations


class IntakeRefused(Exception):
    """The whole file is refused; `message` is pt-BR for the person who sent it."""

    def __init__(self, message: str, rejected: list | None = None, warnings: list | None = None):
        super().__init__(message)
        self.message = message
        self.rejected = rejected or []
        self.warnings = warnings or []
