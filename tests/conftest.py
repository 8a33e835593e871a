"""Fixtures shared by every test: a fresh database and Redis per test, real connections."""
from __future__ import annotations

import os
import re
import tempfile

import pytest
from cryptography.fernet import Fernet

# The app must never pick up a developer's instance/ secrets or database.
_TMP = tempfile.mkdtemp(prefix="preventivo-tests-")
os.environ["PREVENTIVO_INSTANCE_DIR"] = _TMP
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("PREVENTIVO_ENV", "testing")

from tests.support.stores import TestDatabase, TestRedis  # noqa: E402

TEST_KEY = Fernet.generate_key().decode()


@pytest.fixture(scope="session")
def test_db():
    from app import models  # noqa: F401
    from app.extensions import db

    database = TestDatabase(_TMP)
    database.create(db.metadata)
    yield database
    database.drop()


@pytest.fixture(scope="session")
def test_redis():
    store = TestRedis(_TMP)
    yield store
    store.stop()


def make_app(test_db, test_redis, **overrides):
    from app import create_app

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


@pytest.fixture
def app_config():
    """Override to change the app's settings for one test module: return a dict."""
    return {}


@pytest.fixture
def app(test_db, test_redis, app_config):
    from app.jobs import reset_connections

    test_redis.flush()
    reset_connections()
    application = make_app(test_db, test_redis, **app_config)
    with application.app_context():
        yield application
        from app.extensions import db

        db.session.remove()
        test_db.empty(db.engine, db.metadata)
        db.engine.dispose()
    reset_connections()


@pytest.fixture
def db(app):
    from app.extensions import db as database

    return database


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def seeded(app):
    from app.seed import seed_reference_data

    seed_reference_data()
    return app


# --- users and logins -----------------------------------------------------------

from tests.support.factories import make_user, token_for  # noqa: E402,F401


@pytest.fixture
def admin_user(app):
    return make_user("admin@preventivo.test", "admin")


@pytest.fixture
def operator_user(app):
    return make_user("operador@preventivo.test", "operator")


def login(client, user, password="senha-segura-123"):
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no csrf_token in page"
    return match.group(1)


@pytest.fixture
def admin_client(app, admin_user):
    c = app.test_client()
    login(c, admin_user)
    return c


@pytest.fixture
def operator_client(app, operator_user):
    c = app.test_client()
    login(c, operator_user)
    return c


@pytest.fixture
def admin_headers(admin_user):
    return {"Authorization": f"Bearer {token_for(admin_user)}"}


@pytest.fixture
def operator_headers(operator_user):
    return {"Authorization": f"Bearer {token_for(operator_user)}"}


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free port, scriptable per account and stage."""
    from tests.support.smtp_server import SmtpTestServer

    with SmtpTestServer() as server:
        yield server
