"""Production refuses to start without its secrets and stores; development keeps its own keys."""
import pytest

from config import REQUIRED_IN_PRODUCTION, ConfigError, load_config

PRODUCTION_ENV = {
    "PREVENTIVO_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "ENCRYPTION_KEYS": "ZmFrZS1rZXktZmFrZS1rZXktZmFrZS1rZXktZmFrZTE=",
    "DATABASE_URL": "postgresql://u@db/preventivo",
    "REDIS_URL": "redis://cache:6379/0",
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
