"""``/healthz`` touches nothing; ``/readyz`` answers for the database and the migrations and
reports the scheduler's heartbeat without ever failing on it."""

from datetime import timedelta

from sqlalchemy import event, text

from tests.conftest import make_config
from volunteer import create_app
from volunteer.core.time import utcnow
from volunteer.extensions import db, talisman
from volunteer.ops import services


def test_healthz_runs_no_statement(app, client):
    statements = []

    def seen(*args, **kwargs):
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        answer = client.get("/healthz")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert answer.status_code == 200 and answer.get_json() == {"status": "ok"}
    assert statements == []


def test_readyz_reports_the_heartbeat_age_but_never_fails_on_it(ctx, client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.get_json() == {"database": "ok", "migrations": "ok", "scheduler": None}
    services.record_heartbeat(utcnow() - timedelta(hours=5))
    db.session.commit()
    body = client.get("/readyz").get_json()
    assert client.get("/readyz").status_code == 200
    assert 5 * 3600 - 5 < body["scheduler"] < 5 * 3600 + 60


def test_the_heartbeat_is_one_row_rewritten(ctx):
    first = services.record_heartbeat(utcnow() - timedelta(minutes=3))
    db.session.commit()
    services.record_heartbeat()
    db.session.commit()
    assert db.session.scalar(text("SELECT count(*) FROM scheduler_heartbeats")) == 1
    assert services.heartbeat_age() < 5
    assert first.pid > 0


def test_readyz_is_503_when_the_migrations_are_behind(ctx, client):
    head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    db.session.execute(text("UPDATE alembic_version SET version_num = 'caae4a9d64f9'"))
    db.session.commit()
    try:
        answer = client.get("/readyz")
        assert answer.status_code == 503 and answer.headers["Retry-After"]
        body = answer.get_json()
        assert body["migrations"] == "behind" and body["database"] == "ok"
        assert body["migrations_current"] == ["caae4a9d64f9"]
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
        db.session.commit()


def test_readyz_is_503_when_the_database_cannot_be_reached(tmp_path):
    missing = tmp_path / "no-such-folder" / "db.sqlite3"
    broken = create_app(make_config(f"sqlite:///{missing}", str(tmp_path)))
    answer = broken.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["database"] == "unavailable"
    assert broken.test_client().get("/healthz").status_code == 200


def test_probes_and_metrics_are_not_redirected_to_https(client, monkeypatch):
    """Load balancers and Prometheus ask gunicorn directly over plain HTTP (127.0.0.1:8000),
    where VOLUNTEER_FORCE_HTTPS would otherwise answer 302 to an https:// it does not speak."""
    # the setting as FORCE_HTTPS=true leaves it (the extension is one object for every app)
    monkeypatch.setattr(talisman, "force_https", True)
    login = client.get("/login")
    assert login.status_code == 302 and login.headers["Location"].startswith("https://")
    for path in ("/healthz", "/readyz", "/metrics"):
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code, answer.headers.get("Location"))
