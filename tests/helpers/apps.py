"""The app under test: real SQLite or PostgreSQL and a real Redis, fresh secrets."""
from __future__ import annotations

from cryptography.fernet import Fernet

TEST_KEY = Fernet.generate_key().decode()


def make_app(test_db, test_redis, **overrides):
    from app import create_app  # noqa: PLC0415  (conftest sets the instance folder before the app is imported)

    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": test_db.url,
        "SQLALCHEMY_ENGINE_OPTIONS": test_db.engine_options,
        "REDIS_URL": test_redis.url,
        "SECRET_KEY": "test-secret",
        "ENCRYPTION_KEYS": [TEST_KEY],
        "ALERT_EMAILS": ["alertas@preventivo.test"],
        "MAIL_SUPPRESS_SEND": True,
        "SERVER_NAME": "localhost",
        "LOGIN_FAILURE_DELAY": 0,  # the pause on a failed login is tested on its own (tests/abuse)
    }
    config.update(overrides)
    return create_app(config)
