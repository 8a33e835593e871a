"""Intake speed and memory: 100,000 lines (cp1252, ';', one to three emails per line)
parsed, validated and stored, on SQLite and (when a URL is given) PostgreSQL.

    python -m benchmarks.intake [postgresql://...]      # or TEST_DATABASE_URL=...

Prints lines per second per database (wall clock, plus this process's CPU time,
which matters on a shared machine), and the traced memory peak of the import
for 50k and 100k lines: the file is streamed, so the peak should not double.
"""
from __future__ import annotations

import gc
import logging
import os
import sys
import tempfile
import time
import tracemalloc
import uuid

LINES = 100_000
_TMP = tempfile.mkdtemp(prefix="preventivo-bench-")
os.environ.setdefault("PREVENTIVO_INSTANCE_DIR", _TMP)


def _cpf(n: int) -> str:
    from stdnum.br import cpf

    base = f"{(n * 7_919 + 100_000_000) % 1_000_000_000:09d}"
    return base + cpf._calc_check_digits(base + "00")


def write_file(lines: int) -> str:
    """A Brazilian-Excel CSV: cp1252, ';', CRLF, accents, 1-3 emails per line."""
    path = os.path.join(_TMP, f"clientes-{lines}.csv")
    with open(path, "w", encoding="cp1252", newline="") as out:
        out.write("CPF;Nome;EMAIL1;EMAIL2;EMAIL3\r\n")
        for n in range(lines):
            cpf = _cpf(n)
            shown = f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}" if n % 2 else cpf.lstrip("0")
            emails = [f"cliente{n}@exemplo.com.br", f"c{n}.trabalho@empresa.com", f"C{n}@Correio.net.br"][: 1 + n % 3]
            out.write(f"{shown};João da Conceição {n};{';'.join(emails + [''] * (3 - len(emails)))}\r\n")
    return path


def _app(url: str | None):
    from cryptography.fernet import Fernet

    from app import create_app
    from app.extensions import db

    options: dict = {"connect_args": {"timeout": 30}}
    schema = None
    if url:
        schema = f"pv_bench_{uuid.uuid4().hex[:8]}"
        options = {"connect_args": {"options": f"-csearch_path={schema}"}}
    else:
        url = f"sqlite:///{_TMP}/bench-{uuid.uuid4().hex[:6]}.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options, "SECRET_KEY": "bench",
                      "ENCRYPTION_KEYS": [Fernet.generate_key().decode()], "REDIS_URL": os.environ.get("REDIS_URL"),
                      "MAX_ROWS": 200_000})
    if schema:
        from sqlalchemy import create_engine, text

        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
    with app.app_context():
        db.create_all()
        from app.seed import seed_reference_data

        seed_reference_data()
    return app, schema


def _drop(app, schema):
    if not schema:
        return
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    from sqlalchemy import create_engine

    admin = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def _import(app, path: str, trace: bool = False) -> dict:
    from app.campaigns.scheduling import default_moment
    from app.intake.service import import_campaign, resolve_campaign_type, resolve_operation

    with app.app_context():
        operation = resolve_operation("CLARO")
        kind = resolve_campaign_type(operation, "CLARO FASE 1")
        gc.collect()
        with open(path, "rb") as stream:
            if trace:
                tracemalloc.start()
            started, cpu_started = time.perf_counter(), time.process_time()
            result = import_campaign(operation=operation, campaign_type=kind, scheduled_at=default_moment(),
                                     stream=stream, filename=os.path.basename(path))
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            peak = tracemalloc.get_traced_memory()[1] if trace else None
            if trace:
                tracemalloc.stop()
        return {"seconds": elapsed, "cpu_seconds": cpu, "clients": result.clients, "emails": result.emails,
                "rejected": len(result.rejected), "peak_mb": peak / 2**20 if peak is not None else None}


def run(pg_url: str | None = None, lines: int = LINES) -> dict:
    """Measure; returns {"sqlite": {...}, "postgresql": {...}?, "memory": {...}}. Never asserts."""
    logging.getLogger("app").setLevel(logging.ERROR)
    pg_url = pg_url or os.environ.get("TEST_DATABASE_URL")
    big = write_file(lines)
    half = write_file(lines // 2)
    results: dict = {"lines": lines}
    targets = [("sqlite", None)] + ([("postgresql", pg_url)] if pg_url else [])
    for name, url in targets:
        app, schema = _app(url)
        try:
            measured = _import(app, big)
            measured["lines_per_second"] = round(lines / measured["seconds"])
            results[name] = measured
            if name == "sqlite":
                results["memory"] = {
                    f"{lines // 2}_lines_peak_mb": round(_import(app, half, trace=True)["peak_mb"], 1),
                    f"{lines}_lines_peak_mb": round(_import(app, big, trace=True)["peak_mb"], 1),
                }
        finally:
            _drop(app, schema)
    return results


if __name__ == "__main__":
    url = sys.argv[1] if len(sys.argv) > 1 else None
    outcome = run(url)
    lines = outcome["lines"]
    for db_name in ("sqlite", "postgresql"):
        if db_name in outcome:
            m = outcome[db_name]
            print(f"{db_name:10s} {lines:,} lines in {m['seconds']:.2f} s = {m['lines_per_second']:,} lines/s "
                  f"(this process's CPU {m['cpu_seconds']:.2f} s; {m['clients']:,} clients, {m['emails']:,} emails, {m['rejected']} refused)")
    if "postgresql" not in outcome:
        print("postgresql skipped (give a URL or TEST_DATABASE_URL)")
    print("memory (tracemalloc peak of the import):",
          ", ".join(f"{k} = {v} MB" for k, v in outcome["memory"].items()))
