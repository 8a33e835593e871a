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
