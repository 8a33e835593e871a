"""One migration history: upgrades a blank database to the models, and back down."""
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from tests.helpers.stores import postgres_url


@pytest.fixture
def blank_app(request, tmp_path, test_redis):
    """An app on an empty database: a new SQLite file, or a new PostgreSQL schema."""
    from tests.helpers.apps import make_app

    kind = request.param
    schema = None
    if kind == "sqlite":
        url, options = f"sqlite:///{tmp_path}/migrations.db", {}
    else:
        url = postgres_url()
        schema = f"pv_mig_{uuid.uuid4().hex[:8]}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        options = {"connect_args": {"options": f"-csearch_path={schema}"}}

    class Store:
        pass

    store = Store()
    store.url, store.engine_options = url, options
    app = make_app(store, test_redis)
    with app.app_context():
        yield app
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()
    if schema:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# PostgreSQL joins when TEST_DATABASE_URL is set (CI's second pass).
BACKENDS = ["sqlite"] + (["postgresql"] if postgres_url() else [])


@pytest.mark.parametrize("blank_app", BACKENDS, indirect=True)
def test_upgrade_to_head_matches_the_models(blank_app):
    from app.extensions import db

    upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), db.metadata)
    assert diff == [], "models and migrations disagree; generate a migration"


@pytest.mark.parametrize("blank_app", BACKENDS, indirect=True)
def test_downgrade_to_base_removes_every_table(blank_app):
    from app.extensions import db

    upgrade()
    downgrade(revision="base")
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()


def test_the_history_has_one_head():
    """Branches developed side by side each start from the head they saw; merged, they must be re-chained
    (ids are not renumbered, so the order is down_revision's, not the file names')."""
    migrations = Path(__file__).resolve().parents[2] / "migrations"
    config = Config(str(migrations / "alembic.ini"))
    config.set_main_option("script_location", str(migrations))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
