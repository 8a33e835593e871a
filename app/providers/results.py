"""What a provider fetch works with and can end in: the operation's settings, the outcome of one CPF,
the two faults that decide a retry, and the Retry-After rule."""
from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import datetime, timezone

from app.providers.contract import ClientAnswer

# Outcomes of one fetch.
FOUND = "found"
NOT_FOUND = "not_found"
API_ERROR = "api_error"
CONFIG_ERROR = "config_error"


@dataclass(frozen=True)
class ProviderSettings:
    code: str
    base_url: str
    token: str
    timeout: float = 15.0
    concurrency: int = 16
    rate_limit: float = 0.0  # requests per second, 0 = no cap
    attempts: int = 3  # failed attempts (5xx, timeout, connection) before api_error
    backoff_initial: float = 0.5
    backoff_max: float = 8.0
    max_rate_limited: int = 5  # 429s that do not count as a failed attempt
    retry_after_max: float = 60.0

    @classmethod
    def for_operation(cls, operation, config) -> "ProviderSettings":
        return cls(
            code=operation.code,
            base_url=(operation.effective_provider_url or "").rstrip("/"),
            token=operation.effective_provider_token or "",
            timeout=config["PROVIDER_TIMEOUT"],
            concurrency=max(1, config["PROVIDER_CONCURRENCY"]),
            rate_limit=config["PROVIDER_RATE_LIMIT"],
            attempts=max(1, config["PROVIDER_ATTEMPTS"]),
            backoff_initial=config["PROVIDER_BACKOFF_INITIAL"],
            backoff_max=config["PROVIDER_BACKOFF_MAX"],
            max_rate_limited=config["PROVIDER_MAX_RATE_LIMITED"],
            retry_after_max=config["PROVIDER_RETRY_AFTER_MAX"],
        )


@dataclass
class FetchResult:
    cpf: str
    kind: str  # FOUND | NOT_FOUND | API_ERROR | CONFIG_ERROR
    answer: ClientAnswer | None = None
    reason: str | None = None
    attempts: int = 0


class Transient(Exception):
    """5xx, timeout, connection error, or too many 429s: worth another attempt."""


class AuthRefused(Exception):
    """401/403: the operation's token (or URL) is wrong; a configuration fault."""


def parse_retry_after(value: str | None, default: float = 1.0) -> float:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return default
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - datetime.now(timezone.utc)).total_seconds())
