"""Every setting of Preventivo, read from the environment and checked at start.

One `Config` class reads `os.environ`; `load_config()` turns it into a plain
dict for `app.config`. In production (`PREVENTIVO_ENV=production`) the
secrets and the stores must be given explicitly; in development the app keeps
its own secret key and encryption key under `instance/` so that a newcomer
needs nothing to start.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("PREVENTIVO_INSTANCE_DIR") or BASE_DIR / "instance")

REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "ENCRYPTION_KEYS", "DATABASE_URL", "REDIS_URL")
OPERATION_CODES = ("CLARO", "NET", "SEMPARAR")
DEFAULT_TIMEZONE = "America/Sao_Paulo"


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message is one line for the operator."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def timezone_name() -> str:
    """TIMEZONE from the environment; also read outside the app (the sandbox in benchmarks)."""
    return _env("TIMEZONE", DEFAULT_TIMEZONE)


def _int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def _float(name: str, default: float) -> float:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


def _bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _seconds_list(name: str, default: tuple[float, ...]) -> tuple[float, ...]:
    raw = _env(name)
    if raw is None:
        return default
    try:
        values = tuple(float(part) for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise ConfigError(f"{name} must be comma-separated seconds, got {raw!r}") from exc
    if not values or any(v < 0 for v in values):
        raise ConfigError(f"{name} must list at least one non-negative number of seconds, got {raw!r}")
    return values


def _kept_secret(filename: str, make) -> str:
    """Read a development secret from instance/, creating it on first use."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / filename
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _new_fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def database_url_from_env() -> str:
    url = _env("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'preventivo.db'}"
    # Heroku-style platforms still hand out the old scheme, which SQLAlchemy 2 refuses.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    return url


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask config dict from the environment (plus test overrides)."""
    env = (_env("PREVENTIVO_ENV") or "development").lower()
    production = env == "production"
    if production:
        missing = [name for name in REQUIRED_IN_PRODUCTION if not _env(name)]
        if missing:
            raise ConfigError(
                "PREVENTIVO_ENV=production requires these environment variables: "
                + ", ".join(missing)
            )

    secret_key = _env("SECRET_KEY") or _kept_secret("secret_key", lambda: secrets.token_urlsafe(48))
    encryption_keys = _env("ENCRYPTION_KEYS") or _kept_secret("encryption.key", _new_fernet_key)

    cfg: dict = {
        "PREVENTIVO_ENV": env,
        "SECRET_KEY": secret_key,
        "ENCRYPTION_KEYS": [k.strip() for k in encryption_keys.split(",") if k.strip()],
        "SQLALCHEMY_DATABASE_URI": database_url_from_env(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # None means "start an embedded Redis" (make run / make test); see devtools.
        "REDIS_URL": _env("REDIS_URL"),
        "TIMEZONE": timezone_name(),
        "ALERT_EMAILS": [a.strip() for a in (_env("ALERT_EMAILS") or "").split(",") if a.strip()],
        # Flask-Mail: the system's own notifications (alerts, confirmations).
        "MAIL_SERVER": _env("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": _int("MAIL_PORT", 1025),
        "MAIL_USE_TLS": (_env("MAIL_USE_TLS", "false") or "").lower() in ("1", "true", "yes"),
        "MAIL_USE_SSL": (_env("MAIL_USE_SSL", "false") or "").lower() in ("1", "true", "yes"),
        "MAIL_USERNAME": _env("MAIL_USERNAME"),
        "MAIL_PASSWORD": _env("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": _env("MAIL_DEFAULT_SENDER", "preventivo@localhost"),
        "MAIL_SUPPRESS_SEND": False,
        # Intake limits.
        "MAX_UPLOAD_MB": _int("MAX_UPLOAD_MB", 20),
        "MAX_ROWS": _int("MAX_ROWS", 200_000),
        # An .xlsx is a zip: refuse one whose content would expand past this (zip bombs); 0 = max(200, 10 x upload).
        "MAX_XLSX_UNCOMPRESSED_MB": _int("MAX_XLSX_UNCOMPRESSED_MB", 0),
        # Provider client.
        "PROVIDER_TIMEOUT": _float("PROVIDER_TIMEOUT", 15.0),
        "PROVIDER_CONCURRENCY": _int("PROVIDER_CONCURRENCY", 16),
        "PROVIDER_RATE_LIMIT": _float("PROVIDER_RATE_LIMIT", 0.0),  # requests/s per operation, 0 = none
        "PROVIDER_ATTEMPTS": _int("PROVIDER_ATTEMPTS", 3),  # tries on 5xx, timeouts, connection errors
        "PROVIDER_BACKOFF_INITIAL": _float("PROVIDER_BACKOFF_INITIAL", 0.5),  # seconds, doubled per retry, with jitter
        "PROVIDER_BACKOFF_MAX": _float("PROVIDER_BACKOFF_MAX", 8.0),
        "PROVIDER_MAX_RATE_LIMITED": _int("PROVIDER_MAX_RATE_LIMITED", 5),  # 429s forgiven before one counts as a failure
        "PROVIDER_RETRY_AFTER_MAX": _float("PROVIDER_RETRY_AFTER_MAX", 60.0),  # cap on a Retry-After wait
        "PROVIDERS": {
            code: {"url": _env(f"PROVIDER_{code}_URL"), "token": _env(f"PROVIDER_{code}_TOKEN")}
            for code in OPERATION_CODES
        },
        # Sending.
        "SMTP_TIMEOUT": _float("SMTP_TIMEOUT", 30.0),
        # Extra CA bundle trusted for STARTTLS/SSL besides the system's (a relay with a private CA).
        "SMTP_CA_FILE": _env("SMTP_CA_FILE"),
        # Send MAIL, RCPT and DATA together when the server advertises PIPELINING (RFC 2920).
        "SMTP_PIPELINING": _bool("SMTP_PIPELINING", True),
        "SEND_BATCH_SIZE": _int("SEND_BATCH_SIZE", 200),  # deliveries claimed by one send job
        "SEND_PARALLEL_JOBS": _int("SEND_PARALLEL_JOBS", 2),  # send jobs started per campaign
        "SEND_MAX_ATTEMPTS": _int("SEND_MAX_ATTEMPTS", 5),  # tries of a transient failure before it is final
        "SEND_LEASE_SECONDS": _int("SEND_LEASE_SECONDS", 600),  # a dead worker's claims return after this
        # Wait before attempt n+1 after the n-th transient failure (the last value repeats).
        "SEND_BACKOFF_SECONDS": _seconds_list("SEND_BACKOFF_SECONDS", (60, 240, 600, 900)),
        "SEND_PDF_THREAD": _bool("SEND_PDF_THREAD", False),  # render PDFs in a background thread
        # PostgreSQL: commit each acceptance on a second connection while the next message goes out.
        "SEND_RECORD_IN_BACKGROUND": _bool("SEND_RECORD_IN_BACKGROUND", True),
        "QUOTA_REPLY_PATTERN": _env(
            "QUOTA_REPLY_PATTERN",
            r"quota|limit|limite|cota|credits|exceed|excedid|esgotad|5\.4\.5",
        ),
        # Accounts.
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCK_MINUTES": _int("LOGIN_LOCK_MINUTES", 15),
        # Failed logins per client address (any accounts, unknown e-mails too) before that address waits
        # out the window (0 = off), and a pause on every failure that makes guessing slow.
        "LOGIN_IP_MAX_FAILURES": _int("LOGIN_IP_MAX_FAILURES", 30),
        "LOGIN_IP_WINDOW_SECONDS": _int("LOGIN_IP_WINDOW_SECONDS", 900),
        "LOGIN_FAILURE_DELAY": _float("LOGIN_FAILURE_DELAY", 0.3),
        # Proxies in front of the web process whose X-Forwarded-For is trusted (1 on Heroku-like routers).
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        # Seconds between sweeps (the end-to-end tests shorten it so recovery paths run within a test).
        "SWEEP_INTERVAL": _int("SWEEP_INTERVAL", 60),
        # LGPD.
        "RETENTION_DAYS": _int("RETENTION_DAYS", 180),
        # UI.
        "BABEL_DEFAULT_LOCALE": "pt_BR",
        "BABEL_DEFAULT_TIMEZONE": timezone_name(),
        "LANGUAGES": {"pt_BR": "Português", "en": "English"},
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
    }
    cfg["MAX_CONTENT_LENGTH"] = cfg["MAX_UPLOAD_MB"] * 1024 * 1024

    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(cfg["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"TIMEZONE {cfg['TIMEZONE']!r} is not a known time zone") from exc

    if overrides:
        cfg.update(overrides)
    return cfg
