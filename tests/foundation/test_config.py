"""Production refuses to start without its secrets and stores; development keeps its own keys."""
import pytest

import config
from config import SETTINGS, ConfigError, load_config

REQUIRED_IN_PRODUCTION = [s.name for s in SETTINGS if s.required_in_production]

PRODUCTION_ENV = {
    "PREVENTIVO_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "ENCRYPTION_KEYS": "ZmFrZS1rZXktZmFrZS1rZXktZmFrZS1rZXktZmFrZTE=",
    "DATABASE_URL": "postgresql://u@db/preventivo",
    "REDIS_URL": "redis://cache:6379/0",
    "MAIL_DEFAULT_SENDER": "Preventivo <alertas@empresa.com.br>",
}


@pytest.mark.parametrize("missing", REQUIRED_IN_PRODUCTION)
def test_production_refuses_to_start_without(monkeypatch, missing):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigError) as error:
        load_config()
    assert missing in str(error.value)
    assert "\n" not in str(error.value)


def test_production_starts_with_everything(monkeypatch):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    cfg = load_config()
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql://u@db/preventivo"
    assert cfg["SESSION_COOKIE_SECURE"] is True


def test_heroku_style_postgres_url_is_accepted(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/preventivo")
    assert load_config()["SQLALCHEMY_DATABASE_URI"].startswith("postgresql://")


def test_development_keeps_its_own_keys(monkeypatch, tmp_path):
    import config

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    for name in ("SECRET_KEY", "ENCRYPTION_KEYS", "PREVENTIVO_ENV"):
        monkeypatch.delenv(name, raising=False)
    first, second = load_config(), load_config()
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["ENCRYPTION_KEYS"] == second["ENCRYPTION_KEYS"]
    assert (tmp_path / "secret_key").exists() and (tmp_path / "encryption.key").exists()


def test_unknown_time_zone_is_refused(monkeypatch):
    monkeypatch.setenv("TIMEZONE", "America/Nowhere")
    with pytest.raises(ConfigError):
        load_config()


def test_sending_settings_have_their_defaults(monkeypatch):
    for name in ("SEND_BATCH_SIZE", "SEND_PARALLEL_JOBS", "SEND_MAX_ATTEMPTS", "SEND_LEASE_SECONDS",
                 "SEND_BACKOFF_SECONDS", "SEND_PDF_THREAD"):
        monkeypatch.delenv(name, raising=False)
    cfg = load_config()
    assert (cfg["SEND_BATCH_SIZE"], cfg["SEND_PARALLEL_JOBS"], cfg["SEND_MAX_ATTEMPTS"], cfg["SEND_LEASE_SECONDS"],
            cfg["SEND_BACKOFF_SECONDS"], cfg["SEND_PDF_THREAD"]) == (200, 2, 5, 600, (60, 240, 600, 900), False)


def test_sending_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SEND_LEASE_SECONDS", "5")
    monkeypatch.setenv("SEND_BACKOFF_SECONDS", "0.5, 2")
    monkeypatch.setenv("SEND_PDF_THREAD", "true")
    cfg = load_config()
    assert (cfg["SEND_LEASE_SECONDS"], cfg["SEND_BACKOFF_SECONDS"], cfg["SEND_PDF_THREAD"]) == (5, (0.5, 2.0), True)


@pytest.mark.parametrize("name, value", [("SEND_BACKOFF_SECONDS", "soon"), ("SEND_PDF_THREAD", "maybe"),
                                         ("SEND_LEASE_SECONDS", "10m")])
def test_a_malformed_sending_setting_is_refused_in_one_line(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        load_config()
    assert name in str(error.value) and "\n" not in str(error.value)


def test_the_readme_tables_are_the_declaration():
    """`make settings` regenerates them; run it after declaring a setting."""
    from app.cli import readme_with_settings

    readme = (config.BASE_DIR / "README.md").read_text()
    assert readme_with_settings(readme) == readme


@pytest.mark.parametrize("raw, parsed", [("true", True), ("on", True), ("1", True), ("False", False), ("no", False)])
@pytest.mark.parametrize("name", ["MAIL_USE_TLS", "MAIL_USE_SSL", "SMTP_PIPELINING"])
def test_every_boolean_is_parsed_the_same_way(monkeypatch, name, raw, parsed):
    monkeypatch.setenv(name, raw)
    assert load_config()[name] is parsed


@pytest.mark.parametrize("name", ["MAIL_USE_TLS", "SEND_PDF_THREAD"])
def test_a_boolean_that_is_neither_is_refused(monkeypatch, name):
    monkeypatch.setenv(name, "maybe")
    with pytest.raises(ConfigError, match=name):
        load_config()


def test_the_sweep_interval_is_read_when_the_app_is_made_not_at_import(monkeypatch):
    from workers.schedule import periodic_jobs

    monkeypatch.setenv("SWEEP_INTERVAL", "7")
    assert periodic_jobs(load_config())[0]["interval"] == 7


def test_every_setting_the_app_reads_is_declared():
    """No call site reads a setting that config.py does not declare (with its default)."""
    import re

    declared = {s.name for s in SETTINGS} | set(load_config())
    read = set()
    for path in (config.BASE_DIR / "app").rglob("*.py"):
        read |= set(re.findall(r"config\[\"([A-Z_]+)\"\]", path.read_text()))
    assert read - declared == set()


def test_no_call_site_restates_a_default():
    import re

    offenders = [str(path.relative_to(config.BASE_DIR)) for path in (config.BASE_DIR / "app").rglob("*.py")
                 if re.search(r"config\.get\(\"[A-Z_]+\"", path.read_text())]
    assert offenders == []


def test_production_refuses_a_sender_at_localhost(monkeypatch):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MAIL_DEFAULT_SENDER", "preventivo@localhost")
    with pytest.raises(ConfigError, match="MAIL_DEFAULT_SENDER"):
        load_config()
