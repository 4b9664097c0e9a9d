"""DATABASE_REPLICA_URL: which services read the replica, and that writes never go there.

A second app points its replica at the test database itself (SQLite or PostgreSQL), so no
replication is needed: an event listener on each engine records which one executed what. The
scale-out test (tests/ops/test_scaleout.py) does the same against a real streaming replica.
"""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy.exc as sa_exc
from sqlalchemy import event, insert, select, text

from tests.conftest import IsolatedClient, make_config
from tests.reports.conftest import make_service  # noqa: F401  (a fixture, shared)
from volunteer.core.models import ThrottleEvent
from volunteer.core.replica import (
    APPLICATION_NAME,
    REPLICA,
    reading_from_primary,
    reading_from_replica,
)
from volunteer.extensions import db

CST = timezone(timedelta(hours=8))
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def replica_app(app, db_url):
    from volunteer import create_app

    application = create_app(make_config(db_url, app.instance_path, DATABASE_REPLICA_URL=db_url,
                                         DATABASE_REPLICA_HEADER=True))
    application.test_client_class = IsolatedClient
    yield application
    with application.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def executed(replica_app):
    """``{"primary": [...], "replica": [...]}``: every statement each engine ran since."""
    seen = {"primary": [], "replica": []}
    with replica_app.app_context():
        engines = {"primary": db.engines[None], "replica": db.engines[REPLICA]}
    listeners = []
    for name, engine in engines.items():
        def record(_conn, _cursor, statement, *_args, name=name):
            seen[name].append(" ".join(statement.split()))

        event.listen(engine, "before_cursor_execute", record)
        listeners.append((engine, record))
    yield seen
    for engine, record in listeners:
        event.remove(engine, "before_cursor_execute", record)


def _writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.upper().startswith(WRITES)]


def _reset(seen: dict) -> None:
    seen["primary"].clear()
    seen["replica"].clear()


@pytest.fixture
def district(make_street, make_community, make_member, make_staff, make_service):  # noqa: F811
    street = make_street("和平桥街道")
    community = make_community("公园社区", street)
    member = make_member(community, name="顾丽")
    make_service(member, datetime(2026, 3, 10, 12, tzinfo=CST), minutes=120)
    return {"street": street, "community": community, "member": member,
            "admin": make_staff("district_admin"), "reviewer": make_staff("street_reviewer",
                                                                         street)}


def test_dashboards_exports_and_stats_read_the_replica(replica_app, executed, district, login):
    client = replica_app.test_client()
    login(district["admin"], c=client)
    for path in ("/review/district?period=2026Q1", "/review/district?period=2026Q1&table=member",
                 "/review/district/export.xlsx?period=2026Q1&table=member",
                 "/review/district/charts.xlsx?period=2026Q1",
                 "/review/district/hours.csv?period=2026Q1",
                 "/api/v1/stats?period=2026Q1&level=member"):
        _reset(executed)
        response = client.get(path)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
        assert response.headers["X-Database"] == "replica", path
        figures = [s for s in executed["replica"] if "service_" in s or "member_periods" in s
                   or "claims" in s]
        assert figures, (path, executed)
        assert not [s for s in executed["primary"] if "member_periods" in s
                    or "service_months" in s or "service_days" in s], path
        assert not _writes(executed["replica"]), path
    if response.is_json:
        assert response.get_json()["total"] == 1


def test_the_streets_commendations_come_from_the_primary(replica_app, executed, district,
                                                         login):
    """What the reviewer just did (commend, withdraw) shows beside the figures at once."""
    client = replica_app.test_client()
    login(district["reviewer"], c=client)
    _reset(executed)
    response = client.get(f"/review/street/{district['street'].id}?period=2026Q1&table=member")
    assert response.status_code == 200
    assert [s for s in executed["primary"] if "FROM commendations" in s]
    assert not [s for s in executed["replica"] if "FROM commendations" in s]
    assert [s for s in executed["replica"] if "member_periods" in s or "service_" in s]
    # the unread count in the page's header too: a message just read is not counted
    assert [s for s in executed["primary"] if "FROM notifications" in s]


def test_other_pages_and_every_write_use_the_primary(replica_app, executed, district, login,
                                                     token_for):
    member = district["member"]
    client = replica_app.test_client()
    _reset(executed)
    login(member, c=client)
    for path in ("/me", "/tasks", "/wall", "/inbox"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["X-Database"] == "primary", path
    headers = token_for(member)
    assert client.get("/api/v1/me", headers=headers).headers["X-Database"] == "primary"
    assert client.post("/api/v1/auth/token", json={"phone": member.phone, "password": "wrong"}
                       ).status_code == 401
    assert executed["replica"] == []
    assert _writes(executed["primary"])  # the login, its session and the throttle


def test_writes_inside_a_replica_block_go_to_the_primary(replica_app, executed):
    with replica_app.app_context():
        with reading_from_replica():
            db.session.scalar(select(ThrottleEvent.id).limit(1))
            assert executed["replica"] and not executed["primary"]
            db.session.add(ThrottleEvent(bucket="replica-test", key="k"))
            db.session.flush()  # a flush is a write: the primary
            db.session.execute(insert(ThrottleEvent).values(bucket="replica-test", key="k2"))
            db.session.scalars(select(ThrottleEvent).with_for_update()).all()  # locking read
            with reading_from_primary():
                assert db.session.scalar(
                    select(db.func.count()).select_from(ThrottleEvent)
                    .where(ThrottleEvent.bucket == "replica-test")) == 2
        db.session.commit()
        db.session.scalar(select(ThrottleEvent.id).limit(1))  # after the block: the primary
    assert not _writes(executed["replica"])
    assert len([s for s in executed["primary"] if s.startswith("INSERT")]) == 2
    # the replica ran the first SELECT only: the locking read (SELECT … FOR UPDATE, plain
    # SELECT on SQLite) and the count asked of the primary went to the primary
    assert len(executed["replica"]) == 1 and executed["replica"][0].startswith("SELECT")
    assert [s for s in executed["primary"] if s.startswith("SELECT throttle_events.id, ")]
    assert executed["primary"][-1].startswith("SELECT")


def test_the_replica_connections_refuse_writes(replica_app):
    with replica_app.app_context():
        engine = db.engines[REPLICA]
        with pytest.raises(sa_exc.DBAPIError) as refused, engine.connect() as conn:
            conn.execute(insert(ThrottleEvent).values(bucket="replica-test", key="x"))
            conn.commit()
        assert "read-only" in str(refused.value) or "readonly" in str(refused.value)
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                assert conn.scalar(text("SELECT current_setting('application_name')")) == \
                    APPLICATION_NAME


@pytest.mark.parametrize("kind, period, now", [
    ("monthly-reminder", "2026-04", datetime(2026, 4, 1, 9, tzinfo=CST)),
    ("quarterly-bulletin", "2026Q1", datetime(2026, 4, 1, 9, 30, tzinfo=CST)),
    ("half-year-summary", "2026H1", datetime(2026, 7, 1, 10, tzinfo=CST)),
])
def test_report_content_reads_the_replica_and_deliveries_go_to_the_primary(
        replica_app, executed, district, kind, period, now):
    from volunteer.core.periods import parse_period
    from volunteer.reports import runner
    from volunteer.reports.models import ReportDelivery

    with replica_app.app_context():
        result = runner.run_report(kind, parse_period(period), now=now)
        assert result["new"] > 0
        assert db.session.scalar(select(db.func.count()).select_from(ReportDelivery)) == \
            result["new"]
    assert [s for s in executed["replica"] if "member_periods" in s or "service_" in s]
    assert not _writes(executed["replica"])
    assert [s for s in executed["primary"] if s.startswith("INSERT INTO report_deliveries")]


def test_without_a_replica_nothing_changes(app, client, district, login):
    with app.app_context():
        assert REPLICA not in db.engines
        with reading_from_replica():
            assert db.session.get_bind() is db.engines[None]
    login(district["admin"])
    response = client.get("/review/district?period=2026Q1")
    assert response.status_code == 200
    assert "X-Database" not in response.headers


def test_the_replica_url_is_read_from_the_environment():
    from volunteer.config import from_environment

    found = from_environment({"DATABASE_REPLICA_URL": "postgresql://reader@replica/tongtong",
                              "VOLUNTEER_DATABASE_REPLICA_HEADER": "true"})
    assert found["DATABASE_REPLICA_URL"] == "postgresql://reader@replica/tongtong"
    assert found["DATABASE_REPLICA_HEADER"] is True


def test_a_replica_down_fails_the_dashboards_only(app, db_url, district, login, token_for):
    """Nothing listens on the replica's port: the dashboards answer 503, the rest works."""
    from volunteer import create_app
    from volunteer.core import outage

    down = create_app(make_config(
        db_url, app.instance_path, DATABASE_REPLICA_URL="postgresql://nobody@127.0.0.1:9/none",
        DATABASE_CONNECT_TIMEOUT=2))
    down.test_client_class = IsolatedClient
    client = down.test_client()
    login(district["admin"], c=client)
    try:
        response = client.get("/review/district?period=2026Q1")
        assert response.status_code == 503
        assert "服务暂时不可用" in response.get_data(as_text=True)
        stats = client.get("/api/v1/stats", headers=token_for(district["admin"]))
        assert stats.status_code == 503 and stats.get_json()["error"]["code"] == "unavailable"
        assert client.get("/inbox").status_code == 200
        assert client.get("/api/v1/me", headers=token_for(district["admin"])).status_code == 200
    finally:
        with outage._lock:
            outage._down_since = None
        with down.app_context():
            for engine in db.engines.values():
                engine.dispose()
