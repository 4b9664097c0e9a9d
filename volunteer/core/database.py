"""Database wiring: SQLite pragmas and BEGIN IMMEDIATE, migrations, model registry."""

import importlib
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

from volunteer.core import outage, replica
from volunteer.extensions import db, migrate

SQLITE_BUSY_TIMEOUT_MS = 15000
# PostgreSQL connections: recycled after half an hour; pinged on checkout only when they sat
# idle in the pool for longer than this (a busy worker reuses a connection within
# milliseconds, and a ping per request was one extra round trip on every call)
POOL_RECYCLE_SECONDS = 1800
PING_AFTER_IDLE_SECONDS = 10


def import_models() -> None:
    """Import every feature's models so metadata (and Alembic) sees all tables: each package
    of ``volunteer`` with a ``models`` module, found on disk so that core names no feature."""
    root = Path(__file__).resolve().parent.parent
    for path in sorted(root.glob("*/models.py")):
        importlib.import_module(f"volunteer.{path.parent.name}.models")


def init_app(app: Flask) -> None:
    """Bind SQLAlchemy and Flask-Migrate; tune SQLite connections."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        options.setdefault("connect_args", {}).setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    else:
        options.setdefault("pool_recycle", POOL_RECYCLE_SECONDS)
        options.setdefault("pool_timeout", app.config["DATABASE_POOL_TIMEOUT"])
        if uri.startswith("postgresql"):
            options.setdefault("connect_args", {}).setdefault(
                "connect_timeout", app.config["DATABASE_CONNECT_TIMEOUT"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if app.config.get("DATABASE_REPLICA_URL"):
        binds = dict(app.config.get("SQLALCHEMY_BINDS") or {})
        binds[replica.REPLICA] = replica.bind_options(app.config["DATABASE_REPLICA_URL"], options)
        app.config["SQLALCHEMY_BINDS"] = binds
    import_models()
    db.init_app(app)
    app.teardown_appcontext(outage.end_session)
    with app.app_context():
        engines = [db.engine, *([db.engines[replica.REPLICA]]
                                if replica.replica_configured() else [])]
    for engine in engines:
        outage.watch_engine(engine)
        if engine.dialect.name != "sqlite" and not options.get("pool_pre_ping"):
            _ping_idle_connections(engine)
    replica.init_app(app)
    from volunteer import project_folder

    migrate.init_app(app, db, directory=str(project_folder("migrations")),
                     render_as_batch=True, compare_type=True)
    if uri.startswith("sqlite"):
        with app.app_context():
            _tune_sqlite(db.engine)


def _ping_idle_connections(engine: Engine) -> None:
    """``pool_pre_ping`` for connections that were idle a while, not for every checkout.

    A connection back in use within ``PING_AFTER_IDLE_SECONDS`` is handed out as is; an older
    one is pinged first, and a dead one is replaced (``DisconnectionError`` makes the pool
    reconnect). A server restart under load still costs the in-flight requests an error, after
    which SQLAlchemy invalidates the whole pool, as it does without any ping.
    """

    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection, record):
        if record is not None:
            record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, record, _proxy):
        returned = record.info.get("checked_in_at")
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError("connection lost while idle in the pool") from error
            raise


def _tune_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL, a busy timeout, and writes that begin with BEGIN IMMEDIATE.

    pysqlite on Python 3.11 opens no transaction before a SELECT, so a read-then-write
    would race; SQLAlchemy's documented recipe hands transaction control to these hooks.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
