"""Fixtures shared by every test: a fresh database and Redis per test, real connections."""
from __future__ import annotations

import os
import tempfile

import pytest

# The app must never pick up a developer's instance/ secrets or database.
_TMP = tempfile.mkdtemp(prefix="preventivo-tests-")
os.environ["PREVENTIVO_INSTANCE_DIR"] = _TMP
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("PREVENTIVO_ENV", "testing")

from tests.helpers.apps import make_app  # noqa: E402
from tests.helpers.clock import Clock  # noqa: E402
from tests.helpers.factories import make_user, token_for  # noqa: E402
from tests.helpers.stores import TestDatabase, TestRedis  # noqa: E402
from tests.helpers.web import login  # noqa: E402


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


@pytest.fixture
def app_config():
    """Override to change the app's settings for one test module: return a dict."""
    return {}


@pytest.fixture
def app(test_db, test_redis, app_config):
    from app.jobs import reset_connections  # noqa: PLC0415  (the app is imported after the instance folder is set)

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

@pytest.fixture
def admin_user(app):
    return make_user("admin@preventivo.test", "admin")


@pytest.fixture
def operator_user(app):
    return make_user("operador@preventivo.test", "operator")


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
def clock():
    """The clock, frozen at now and ticking on; `clock.move(minutes=16)` moves it (tests/helpers/clock.py)."""
    with Clock() as moving:
        yield moving


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free port, scriptable per account and stage."""
    from tests.helpers.smtp_server import SmtpTestServer

    with SmtpTestServer() as server:
        yield server


@pytest.fixture
def services(seeded, smtp_server):
    """SERVICO_1..4 on the real SMTP server (SERVICO_1 out of rotation, as in the seed)."""
    from tests.helpers.sending_factories import make_services  # noqa: PLC0415  (imports app models)

    return make_services(smtp_server, count=4)


@pytest.fixture
def claro_on_2(services):
    """CLARO sends through SERVICO_2."""
    from tests.helpers.sending_factories import bind  # noqa: PLC0415  (imports app models)

    return bind("CLARO", services["SERVICO_2"])
