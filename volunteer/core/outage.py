"""Database outages: recognise them, answer 503 with Retry-After, log one line per outage.

A stopped, restarting or unreachable database is not a bug in the request: it gets
``503 unavailable`` (a Chinese page off the API) rather than a 500 and a traceback per request.
The log says "database unavailable" once when the first failure is seen and "database back"
when a statement that began after it succeeds. Recovery needs no restart: SQLAlchemy
invalidates the pool on a disconnect error and the next checkout connects anew.
"""

import logging
import sqlite3
import threading
import time
from contextlib import suppress

import psycopg
from flask import current_app, g, make_response, render_template, request
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from volunteer.core.api import error_response
from volunteer.core.i18n import N_
from volunteer.extensions import db, login_manager

log = logging.getLogger("volunteer.database")

UNAVAILABLE_MESSAGE = N_("服务暂时不可用，请稍后再试")

# psycopg's OperationalError also covers serialisation failures, deadlocks and statement or
# lock timeouts, which are answered as before; these SQLSTATE classes mean the server is gone:
# connection exceptions, insufficient resources (too many connections), operator intervention
# (shutdown, "starting up"), system errors. Errors raised by libpq itself carry no SQLSTATE.
OUTAGE_SQLSTATES = ("08", "53", "57P", "58")
# SQLite: only a database file that cannot be reached; "database is locked" is contention
SQLITE_OUTAGE_MESSAGES = ("unable to open database file", "disk i/o error")

_lock = threading.Lock()
_down_since: float | None = None


def is_outage(error: BaseException | None) -> bool:
    """Whether an error, or any error it was raised from, says the database is unreachable."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if _is_outage_itself(current):
            return True
        pending += [current.__cause__, current.__context__, getattr(current, "orig", None),
                    getattr(current, "original_exception", None)]
    return False


def _is_outage_itself(error: BaseException) -> bool:
    if isinstance(error, sa_exc.TimeoutError | sa_exc.DisconnectionError):
        return True  # no pooled connection came free in time; a connection found dead
    if isinstance(error, sa_exc.DBAPIError):
        return bool(error.connection_invalidated)  # else judged by its driver error (.orig)
    if isinstance(error, psycopg.InterfaceError):
        return True
    if isinstance(error, psycopg.OperationalError):
        state = getattr(error, "sqlstate", None)
        return state is None or state.startswith(OUTAGE_SQLSTATES)
    if isinstance(error, sqlite3.OperationalError):
        return str(error).lower().startswith(SQLITE_OUTAGE_MESSAGES)
    return False


def database_down() -> bool:
    """Whether an outage was seen and no statement has succeeded since."""
    return _down_since is not None


def record_outage(error: BaseException) -> None:
    """Log the outage once, when its first failure is seen."""
    global _down_since
    with _lock:
        if _down_since is not None:
            return
        _down_since = time.monotonic()
    log.error("database unavailable: %s", summary(error))


def record_recovery(started: float) -> None:
    """A statement begun at ``started`` succeeded: if it began after the outage, it is over."""
    global _down_since
    if _down_since is None:
        return
    with _lock:
        if _down_since is None or started < _down_since:
            return
        _down_since = None
    log.warning("database back")


def summary(error: BaseException) -> str:
    """One line naming the driver's error, not a traceback."""
    root = getattr(error, "orig", None) or error
    text = str(root).strip().splitlines()
    return f"{type(root).__name__}: {text[0] if text else ''}"


def watch_engine(engine: Engine) -> None:
    """Note when statements succeed again after an outage."""

    @event.listens_for(engine, "before_cursor_execute")
    def on_before(_conn, _cursor, _statement, _parameters, context, _executemany):
        if _down_since is not None and context is not None:  # statements begun during it
            context._outage_started = time.monotonic()

    @event.listens_for(engine, "after_cursor_execute")
    def on_after(_conn, _cursor, _statement, _parameters, context, _executemany):
        if _down_since is not None and context is not None:
            record_recovery(getattr(context, "_outage_started", 0.0))


def end_session(_error: BaseException | None = None) -> None:
    """End the request's session; a database gone since the response was made is no error.

    Registered after Flask-SQLAlchemy's own teardown, so it runs first: that teardown's
    rollback would otherwise raise out of the WSGI call and turn a finished answer into a bare
    500 with a traceback.
    """
    try:
        db.session.remove()
    except Exception as error:
        if not is_outage(error):
            raise
        record_outage(error)
        with suppress(Exception):  # usually the connection is invalidated by now
            db.session.remove()
        db.session.registry.clear()


def outage_response(error: BaseException):
    """503 with Retry-After: the JSON ``unavailable`` error under /api/, else a Chinese page.

    The page is rendered for an anonymous visitor: loading the user (and counting their unread
    notifications) would ask the database again.
    """
    record_outage(error)
    with suppress(Exception):  # the connection is gone; the pool replaces it
        db.session.rollback()
    g._login_user = login_manager.anonymous_user()
    if request.path.startswith("/api/"):
        response, _status = error_response(503, "unavailable", UNAVAILABLE_MESSAGE)
    else:
        response = make_response(render_template("error.html", status=503,
                                                 message=UNAVAILABLE_MESSAGE))
    response.status_code = 503
    response.headers["Retry-After"] = str(current_app.config["DATABASE_UNAVAILABLE_RETRY_AFTER"])
    response.headers["Cache-Control"] = "no-store"
    return response
