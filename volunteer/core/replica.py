"""Reads from a streaming replica (``DATABASE_REPLICA_URL``), writes and everything else from
the primary.

The replica is a Flask-SQLAlchemy bind named ``replica`` (``db.engines["replica"]``) that no
model belongs to, so nothing reaches it by default. A read-only service opts in explicitly with
``reading_from_replica()`` (a view with the ``replica_reads`` decorator): while it is active the
session (``RoutingSession``) sends its SELECT statements to the replica engine. Flushes,
INSERT/UPDATE/DELETE and locking reads (``FOR UPDATE``) still go to the primary, and the
replica engine's connections are read-only themselves (``default_transaction_read_only`` on
PostgreSQL, ``PRAGMA query_only`` on SQLite), so a write slipped in by mistake fails loudly
instead of landing on the wrong server. Without ``DATABASE_REPLICA_URL`` there is no replica
engine and both context managers change nothing.

What reads from the replica: the review dashboards, their exports, ``GET /api/v1/stats`` and the
periodic reports' content. Pages that show what their user just changed read the primary
(``reading_from_primary()`` inside a replica view, e.g. the street's commendations beside its
dashboard), since a replica lags the primary by its replay delay.
"""

import functools
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask, current_app, g, has_app_context
from flask_sqlalchemy.session import Session
from sqlalchemy import event

REPLICA = "replica"  # the bind key
_ROUTED = "volunteer.reads_from_replica"  # in Session.info: this session reads the replica now
APPLICATION_NAME = "tongtong-replica-reader"  # pg_stat_activity shows these connections


class RoutingSession(Session):
    """Flask-SQLAlchemy's session, reading from the replica while a service asked for it."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if (bind is None and self.info.get(_ROUTED) and not self._flushing
                and not _writes(clause)):
            engine = self._db.engines.get(REPLICA)
            if engine is not None:
                return engine
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def _writes(clause) -> bool:
    """INSERT, UPDATE, DELETE, or a SELECT that locks rows: the primary's business."""
    if isinstance(clause, sa.UpdateBase):
        return True
    return getattr(clause, "_for_update_arg", None) is not None


def replica_configured() -> bool:
    """Whether the current app has a replica engine (DATABASE_REPLICA_URL was set)."""
    return REPLICA in current_app.extensions["sqlalchemy"].engines


@contextmanager
def _routing(to_replica: bool) -> Iterator[None]:
    session = current_app.extensions["sqlalchemy"].session()
    before = session.info.get(_ROUTED, False)
    session.info[_ROUTED] = to_replica
    try:
        yield
    finally:
        session.info[_ROUTED] = before


def reading_from_replica():
    """Within this block the session's reads go to the replica (when one is configured)."""
    return _routing(True)


def reading_from_primary():
    """Within this block the session reads the primary again (a page's own latest changes)."""
    return _routing(False)


def replica_reads(view):
    """A view whose reads all come from the replica (put it below ``login_required``: the
    session's user is loaded, and its ``last_seen_at`` written, on the primary first)."""

    @functools.wraps(view)
    def read_from_replica(*args, **kwargs):
        with reading_from_replica():
            return view(*args, **kwargs)

    return read_from_replica


# --- engine options and the testing header --------------------------------------------------


def bind_options(url: str, primary_options: dict) -> dict:
    """The replica bind's ``create_engine`` arguments: the primary's pool settings, read-only
    connections, and an application name that tells them apart in ``pg_stat_activity``."""
    options = {key: value for key, value in primary_options.items() if key != "connect_args"}
    connect_args = dict(primary_options.get("connect_args") or {})
    if url.startswith("postgresql"):
        connect_args["application_name"] = APPLICATION_NAME
        connect_args["options"] = " ".join(
            part for part in (connect_args.get("options"),
                              "-c default_transaction_read_only=on") if part)
    options["connect_args"] = connect_args
    return {"url": url, **options}


def init_app(app: Flask) -> None:
    """Tune the replica engine once Flask-SQLAlchemy made it, and add the testing header."""
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engines.get(REPLICA)
    if engine is None:
        return
    if engine.dialect.name == "sqlite":
        _read_only_sqlite(engine)

    @event.listens_for(engine, "before_cursor_execute")
    def count_replica_statement(*_args):
        if has_app_context():
            g.replica_statements = g.get("replica_statements", 0) + 1

    if app.config.get("DATABASE_REPLICA_HEADER"):
        app.after_request(_database_header)


def _database_header(response):
    """Testing only: which server answered this request's reads."""
    response.headers["X-Database"] = "replica" if g.get("replica_statements") else "primary"
    return response


def _read_only_sqlite(engine: sa.engine.Engine) -> None:
    """A second handle on a SQLite file (tests and development): read-only, never BEGIN
    IMMEDIATE (a reader must not take the write lock)."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

