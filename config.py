"""Every setting of Preventivo, declared once: name, type, default and one-line meaning.

`SETTINGS` is the declaration. `load_config()` reads the app's settings from the
environment into the plain dict Flask keeps as `app.config`; call sites read
`current_app.config[NAME]` and never restate a default. `make run`'s own settings
(ports, demo quota...) are declared here too and read by devtools/run.py.
`flask settings` prints the README's tables from this declaration, and a test
fails when the README and the declaration differ.

In production (`PREVENTIVO_ENV=production`) the secrets and the stores must be
given explicitly; in development the app keeps its own secret key and encryption
key under `instance/` so that a newcomer needs nothing to start. Nothing here is
read at import time except where the instance folder is (tests and `make run`
set PREVENTIVO_INSTANCE_DIR before anything imports the app).
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("PREVENTIVO_INSTANCE_DIR") or BASE_DIR / "instance")

OPERATION_CODES = ("CLARO", "NET", "SEMPARAR")
DEFAULT_TIMEZONE = "America/Sao_Paulo"
APP, MAKE_RUN = "app", "make run"


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message is one line for the operator."""


@dataclass(frozen=True)
class Setting:
    name: str
    kind: str  # text | int | float | bool | seconds (comma-separated) | list (comma-separated)
    default: object
    meaning: str
    shown: str | None = None  # the default as the README shows it, when it is not the value itself
    scope: str = APP  # APP: in app.config; MAKE_RUN: read by devtools/run.py only
    required_in_production: bool = False


S = Setting
SETTINGS: tuple[Setting, ...] = (
    # --- the installation
    S("PREVENTIVO_ENV", "text", "development", "`production` makes the settings marked *required in production* mandatory"),
    S("SECRET_KEY", "text", None, "signs sessions and CSRF tokens", shown="kept in `instance/`",
      required_in_production=True),
    S("ENCRYPTION_KEYS", "list", None, "comma-separated Fernet keys; the first encrypts, all decrypt (`flask keys rotate`)",
      shown="kept in `instance/`", required_in_production=True),
    S("DATABASE_URL", "text", None, "PostgreSQL in production (`postgres://` is accepted)",
      shown="`sqlite:///instance/preventivo.db`", required_in_production=True),
    S("REDIS_URL", "text", None, "job queues, the scheduler, the login throttle and the shared rate caps",
      shown="embedded Redis", required_in_production=True),
    S("LOG_LEVEL", "text", "INFO", "`DEBUG`, `INFO`, `WARNING` or `ERROR`; below `DEBUG` the chatter of RQ, the mail catcher "
      "and gunicorn (access log included) stays at WARNING, so `LOG_LEVEL=DEBUG` brings everything back"),
    S("TIMEZONE", "text", DEFAULT_TIMEZONE, "campaign day, quota months, dates on screen"),
    S("ALERT_EMAILS", "list", (), "comma-separated admins who receive alerts", shown="(none)"),
    S("TRUSTED_PROXIES", "int", 0, "proxies in front of the app whose `X-Forwarded-For` is believed; set `1` behind a "
      "platform router, or every user shares the router's address for the login throttle"),
    # --- the system's own mail (Flask-Mail): alerts, confirmations
    S("MAIL_SERVER", "text", "127.0.0.1", "SMTP server of the system's own notifications (Flask-Mail)"),
    S("MAIL_PORT", "int", 1025, "its port"),
    S("MAIL_USE_TLS", "bool", False, "STARTTLS to it"),
    S("MAIL_USE_SSL", "bool", False, "implicit TLS to it"),
    S("MAIL_USERNAME", "text", None, "its account", shown="(none)"),
    S("MAIL_PASSWORD", "text", None, "its password", shown="(none)"),
    S("MAIL_DEFAULT_SENDER", "text", "Preventivo <alertas@preventivo.local>", "sender of the system's alerts and "
      "confirmations; in production a real address (never `…@localhost`)", required_in_production=True),
    # --- intake
    S("MAX_UPLOAD_MB", "int", 20, "largest spreadsheet accepted"),
    S("MAX_ROWS", "int", 200_000, "most lines in one spreadsheet"),
    S("MAX_XLSX_UNCOMPRESSED_MB", "int", 0, "largest expanded size of an .xlsx (zip bombs are refused before "
      "expanding); 0: max(200, 10 × MAX_UPLOAD_MB)", shown="`max(200, 10 × MAX_UPLOAD_MB)`"),
    # --- the creditors' APIs
    S("PROVIDER_<CODE>_URL", "text", None, "creditor API of an operation, CODE in CLARO, NET, SEMPARAR; wins over "
      "the panel", shown="(panel value)"),
    S("PROVIDER_<CODE>_TOKEN", "text", None, "its bearer token; wins over the panel", shown="(panel value)"),
    S("PROVIDER_TIMEOUT", "float", 15.0, "seconds per provider request"),
    S("PROVIDER_CONCURRENCY", "int", 16, "requests in flight per operation, shared by all workers through Redis"),
    S("PROVIDER_RATE_LIMIT", "float", 0.0, "requests per second per operation, shared by all workers through Redis; "
      "0 for none"),
    S("PROVIDER_ATTEMPTS", "int", 3, "tries of a provider call on 5xx, timeouts and connection errors"),
    S("PROVIDER_BACKOFF_INITIAL", "float", 0.5, "seconds before the first retry, doubled per retry, with jitter"),
    S("PROVIDER_BACKOFF_MAX", "float", 8.0, "longest wait between retries"),
    S("PROVIDER_MAX_RATE_LIMITED", "int", 5, "429 answers forgiven before one counts as a failed attempt"),
    S("PROVIDER_RETRY_AFTER_MAX", "float", 60.0, "longest `Retry-After` wait"),
    # --- sending
    S("SMTP_TIMEOUT", "float", 30.0, "seconds per SMTP operation"),
    S("SMTP_CONNECT_TIMEOUT", "float", 10.0, "seconds to connect and receive the server's greeting (a port that "
      "speaks TLS first stays silent: this is how long it takes to say so)"),
    S("SMTP_PIPELINING", "bool", True, "send MAIL, RCPT and DATA in one write when the server offers PIPELINING "
      "(two round trips fewer per message)"),
    S("SMTP_CA_FILE", "text", None, "a PEM CA bundle trusted for STARTTLS/SSL in addition to the system's (a relay "
      "with a private CA); certificates are always verified", shown="—"),
    S("SEND_BATCH_SIZE", "int", 200, "deliveries one SMTP session claims at a time (a send job runs up to the "
      "service's max_connections sessions at once, on PostgreSQL)"),
    S("SEND_PARALLEL_JOBS", "int", 2, "send jobs started per campaign (more workers share a campaign)"),
    S("SEND_SESSIONS_PER_PROCESS", "int", 12, "most SMTP sessions one worker process drives at once (each holds two "
      "database connections; the pool is sized for them)"),
    S("SEND_MAX_ATTEMPTS", "int", 5, "tries of a delivery on transient SMTP failures (4xx) before it is failed"),
    S("SEND_BACKOFF_SECONDS", "seconds", (60.0, 240.0, 600.0, 900.0), "wait before each retry of a transient failure "
      "(the last value repeats)", shown="`60,240,600,900`"),
    S("SEND_SESSION_LEASE_SECONDS", "int", 60, "an SMTP session's slot (max_connections of its service) is leased "
      "this long and renewed while the session lives; a killed worker's slots come back after it"),
    S("SEND_THROTTLE_BACKOFF_SECONDS", "float", 5.0, "a relay's rate reply pauses its service this long (doubled per "
      "rate reply in a row)"),
    S("SEND_THROTTLE_MAX_BACKOFF_SECONDS", "float", 300.0, "the longest such pause"),
    S("SEND_LEASE_SECONDS", "int", 600, "a claimed delivery whose worker died returns to pending after this (the "
      "sweep reclaims it)"),
    S("SEND_PDF_THREAD", "bool", False, "render a batch's PDFs in a background thread while it sends"),
    S("SEND_RECORD_IN_BACKGROUND", "bool", True, "on PostgreSQL, commit each accepted message on a second connection "
      "while the next one is sent (still at most one accepted message unrecorded)"),
    S("SERVICE_DOWN_AFTER", "int", 3, "connection failures in a row (any workers) that mark a service \"sem conexão\" "
      "(its operations rotate away, one alert)"),
    S("SERVICE_PROBE_SECONDS", "int", 120, "how often the sweep tries a service marked \"sem conexão\" (connect and "
      "EHLO only)"),
    S("QUOTA_REPLY_PATTERN", "text", r"quota|limit|limite|cota|credits|exceed|excedid|esgotad|5\.4\.5",
      "regular expression that marks an SMTP reply as \"quota exhausted\"", shown="`quota|limit|…`"),
    # --- accounts
    S("LOGIN_MAX_FAILURES", "int", 5, "wrong passwords for one e-mail from one client address before that address is "
      "locked out of that account (the owner elsewhere is not)"),
    S("LOGIN_LOCK_MINUTES", "int", 15, "how long that lock lasts"),
    S("LOGIN_IP_MAX_FAILURES", "int", 30, "failed logins allowed per client address in the window (any accounts; "
      "0: off)"),
    S("LOGIN_IP_WINDOW_SECONDS", "int", 900, "that window"),
    S("LOGIN_FAILURE_DELAY", "float", 0.3, "pause after each wrong guess (seconds)"),
    S("SESSION_IDLE_MINUTES", "int", 30, "a panel session unused this long ends"),
    S("SESSION_MAX_HOURS", "int", 12, "a panel session ends this long after its login, used or not"),
    S("PASSWORD_RESET_MINUTES", "int", 60, "how long a \"Esqueci minha senha\" link works (once)"),
    S("PUBLIC_URL", "text", None, "the panel's address as people reach it (`https://preventivo.empresa.com.br`), used "
      "in the links of emails; set it in production (unset: the address of the request)", shown="(none)"),
    # --- housekeeping
    S("STALL_MINUTES", "int", 10, "a campaign collecting or sending with work left and no progress for this long "
      "raises one \"Campanha parada\" alert"),
    S("SWEEP_INTERVAL", "int", 60, "seconds between sweeps (the periodic pass that re-creates lost work)"),
    S("BOUNCE_POLL_MINUTES", "int", 5, "minutes between reads of the bounce mailbox(es) over IMAP"),
    S("BOUNCE_MATCH_DAYS", "int", 7, "a bounce without the original Message-ID is matched to the address's deliveries "
      "sent in this many days"),
    S("SOFT_BOUNCE_LIMIT", "int", 3, "soft (4.x.x) bounces of one address within SOFT_BOUNCE_DAYS that suppress it"),
    S("SOFT_BOUNCE_DAYS", "int", 30, "the window in which soft bounces are counted"),
    S("BOUNCE_IMAP_TIMEOUT", "int", 30, "seconds to wait for the bounce mailbox's IMAP server"),
    S("RETENTION_DAYS", "int", 180, "personal data of older campaigns is deleted"),
    # --- make run (devtools/run.py)
    S("PORT", "int", 5000, "web port", scope=MAKE_RUN),
    S("MAIL_CATCHER_PORT", "int", 1025, "port of the local mail catcher", scope=MAKE_RUN),
    S("SANDBOX_PORT", "int", 5050, "port of the creditor API sandbox", scope=MAKE_RUN),
    S("EMBEDDED_REDIS_PORT", "int", 6390, "port of the embedded Redis (when REDIS_URL is unset)", scope=MAKE_RUN),
    S("DEMO_QUOTA", "text", "servico_2=25", "the mail catcher refuses an account's messages past this many, with a "
      "quota reply (empty: no demo quota)", scope=MAKE_RUN),
    S("SCHEDULER_INTERVAL", "int", 5, "seconds between scheduler polls", scope=MAKE_RUN),
    S("SANDBOX_LATENCY", "float", 0.0, "seconds added to every sandbox answer", scope=MAKE_RUN),
    S("WEB_WORKERS", "int", 2, "gunicorn worker processes", scope=MAKE_RUN),
    S("PREVENTIVO_INSTANCE_DIR", "text", None, "where the SQLite file, the keys and the embedded Redis live",
      shown="`instance/`", scope=MAKE_RUN),
    S("ADMIN_EMAIL", "text", "admin@preventivo.local", "first admin", scope=MAKE_RUN),
    S("ADMIN_PASSWORD", "text", None, "its password", shown="generated, printed once", scope=MAKE_RUN),
)
del S
BY_NAME = {setting.name: setting for setting in SETTINGS}


# --- reading --------------------------------------------------------------------------------
def _raw(name: str, environ=None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    return None if value is None or value.strip() == "" else value.strip()


def _parse(setting: Setting, raw: str):
    name, kind = setting.name, setting.kind
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ConfigError(f"{name} must be true or false, got {raw!r}")
        if kind == "list":
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        if kind == "seconds":
            values = tuple(float(part) for part in raw.split(",") if part.strip())
            if not values or any(v < 0 for v in values):
                raise ConfigError(f"{name} must list at least one non-negative number of seconds, got {raw!r}")
            return values
    except ValueError as exc:
        raise ConfigError(f"{name} must be {'an integer' if kind == 'int' else 'a number'}, got {raw!r}") from exc
    return raw


def read(name: str, environ=None, *, raw_name: str | None = None):
    """The typed value of one declared setting from the environment (or its default)."""
    setting = BY_NAME[name]
    raw = _raw(raw_name or name, environ)
    return setting.default if raw is None else _parse(setting, raw)


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def log_level(raw: str) -> str:
    """LOG_LEVEL, upper-cased and checked (also read by devtools/run.py, outside the app)."""
    level = (raw or "INFO").strip().upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {raw!r}")
    return level


def timezone_name() -> str:
    """TIMEZONE from the environment; also read outside the app (the sandbox in benchmarks)."""
    return read("TIMEZONE")


def database_url_from_env() -> str:
    url = read("DATABASE_URL")
    if not url:
        # The SQLite file is made here, private from creation, before SQLite would make it with the umask's mode.
        create_private_file(INSTANCE_DIR / "preventivo.db")
        url = f"sqlite:///{INSTANCE_DIR / 'preventivo.db'}"
    # Heroku-style platforms still hand out the old scheme, which SQLAlchemy 2 refuses.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    return url


def create_private_file(path: Path, data: bytes = b"") -> bool:
    """Create `path` readable by its owner only (0600 from the first byte: os.open with the mode, O_EXCL).

    Returns False, writing nothing, when it already exists. The instance folder holds the
    development secrets and the SQLite database: no other user of the machine may read them.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return True


def _kept_secret(filename: str, make) -> str:
    """Read a development secret from instance/, creating it (mode 0600) on first use."""
    path = INSTANCE_DIR / filename
    if not path.exists():
        create_private_file(path, make().encode())
    return path.read_text().strip()


def _new_fernet_key() -> str:
    from cryptography.fernet import Fernet  # noqa: PLC0415  (only when a development key is first made)

    return Fernet.generate_key().decode()


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask config dict from the environment (plus test overrides)."""
    cfg = {s.name: read(s.name) for s in SETTINGS if s.scope == APP and "<CODE>" not in s.name}
    cfg["PREVENTIVO_ENV"] = cfg["PREVENTIVO_ENV"].lower()
    production = cfg["PREVENTIVO_ENV"] == "production"
    if production:
        missing = [s.name for s in SETTINGS if s.required_in_production and _raw(s.name) is None]
        if missing:
            raise ConfigError("PREVENTIVO_ENV=production requires these environment variables: " + ", ".join(missing))
        if cfg["MAIL_DEFAULT_SENDER"].rstrip(">").lower().endswith("@localhost"):
            raise ConfigError("MAIL_DEFAULT_SENDER must be a real address in production, not …@localhost")
    cfg["SECRET_KEY"] = cfg["SECRET_KEY"] or _kept_secret("secret_key", lambda: secrets.token_urlsafe(48))
    cfg["ENCRYPTION_KEYS"] = list(cfg["ENCRYPTION_KEYS"] or _kept_secret("encryption.key", _new_fernet_key).split(","))
    cfg["ALERT_EMAILS"] = list(cfg["ALERT_EMAILS"])
    cfg["SQLALCHEMY_DATABASE_URI"] = database_url_from_env()
    cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    cfg["PROVIDERS"] = {code: {"url": read("PROVIDER_<CODE>_URL", raw_name=f"PROVIDER_{code}_URL"),
                               "token": read("PROVIDER_<CODE>_TOKEN", raw_name=f"PROVIDER_{code}_TOKEN")}
                        for code in OPERATION_CODES}
    if not cfg["MAX_XLSX_UNCOMPRESSED_MB"]:
        cfg["MAX_XLSX_UNCOMPRESSED_MB"] = max(200, 10 * cfg["MAX_UPLOAD_MB"])
    cfg.update({
        # Flask and its extensions, fixed here rather than read from the environment.
        "MAX_CONTENT_LENGTH": cfg["MAX_UPLOAD_MB"] * 1024 * 1024,
        "MAIL_SUPPRESS_SEND": False,
        "BABEL_DEFAULT_LOCALE": "pt_BR",
        "BABEL_DEFAULT_TIMEZONE": cfg["TIMEZONE"],
        "LANGUAGES": {"pt_BR": "Português", "en": "English"},
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        # The session ends by itself after SESSION_MAX_HOURS (app/auth/sessions.py checks it on every request);
        # the cookie never outlives that either.
        "PERMANENT_SESSION_LIFETIME": cfg["SESSION_MAX_HOURS"] * 3600,
    })
    cfg["LOG_LEVEL"] = log_level(cfg["LOG_LEVEL"])
    try:
        ZoneInfo(cfg["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"TIMEZONE {cfg['TIMEZONE']!r} is not a known time zone") from exc
    if overrides:
        cfg.update(overrides)
    cfg["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(cfg)
    return cfg


def engine_options(cfg: dict) -> dict:
    """The engine's options, with a PostgreSQL pool that holds every connection a worker's sessions need.

    Each SMTP session of a send job holds two connections (its own, and its recorder's while it sends the
    next message). SQLAlchemy's default pool (5 + 10 overflow) starved a job of 10 sessions: five of them
    waited a whole batch for a connection, and sending ran at half the rate.
    """
    options = dict(cfg.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if str(cfg.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        options.setdefault("pool_size", 5)
        options.setdefault("max_overflow", 2 * max(1, cfg["SEND_SESSIONS_PER_PROCESS"]) + 2)
    return options


# --- the README's tables ---------------------------------------------------------------------
def _shown_default(setting: Setting) -> str:
    if setting.shown is not None:
        return setting.shown
    value = setting.default
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, tuple):
        value = ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    elif isinstance(value, float):
        value = f"{value:g}"
    return f"`{value}`" if value not in (None, "") else "(none)"


def settings_markdown(scope: str = APP) -> str:
    """The README's settings table of one scope, from the declaration."""
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for setting in SETTINGS:
        if setting.scope == scope:
            meaning = setting.meaning + (" (*required in production*)" if setting.required_in_production else "")
            lines.append(f"| `{setting.name}` | {_shown_default(setting)} | {meaning} |")
    return "\n".join(lines) + "\n"
