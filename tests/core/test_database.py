"""The PostgreSQL pool: no ping per request, yet a connection that died idle is replaced."""

import pytest
from sqlalchemy import text

from volunteer.core import database
from volunteer.extensions import db


@pytest.fixture(autouse=True)
def _postgres_only(db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("pool tests need PostgreSQL (set TEST_DATABASE_URL)")


def _backend_pid() -> int:
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))
    db.session.rollback()
    return pid


def test_no_pre_ping_on_every_checkout(app):
    with app.app_context():
        assert not db.engine.pool._pre_ping
        assert db.engine.pool._recycle == database.POOL_RECYCLE_SECONDS


def test_connection_killed_while_idle_is_replaced(app, monkeypatch):
    with app.app_context():
        db.engine.dispose()
        victim = _backend_pid()
        db.session.remove()  # the connection goes back to the pool
        with db.engine.pool._creator() as other:  # a connection of its own, outside the pool
            other.execute("SELECT pg_terminate_backend(%s)", (victim,))
            other.commit()
        # as if it had sat idle long enough: the next checkout pings it and reconnects
        monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0)
        assert _backend_pid() != victim
        db.session.remove()


def test_recently_used_connection_is_not_pinged(app):
    with app.app_context():
        db.engine.dispose()
        first = _backend_pid()
        db.session.remove()
        pings = []
        original = db.engine.dialect.do_ping
        db.engine.dialect.do_ping = lambda conn: pings.append(conn) or original(conn)
        try:
            assert _backend_pid() == first
        finally:
            del db.engine.dialect.do_ping
        db.session.remove()
        assert pings == []
