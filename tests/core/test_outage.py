"""A database outage answers 503 with Retry-After, logs one line, and heals without a restart.

The unit tests simulate the outage on any database (every statement fails as a stopped
PostgreSQL makes it fail); the outage test starts a PostgreSQL cluster of its own on a free port,
stops it under load for 10 s and starts it again, never touching the main cluster.
"""

import contextlib
import glob
import http.cookiejar
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
import sqlalchemy.exc as sa_exc
from gunicorn.config import Config as GunicornConfig
from sqlalchemy import event

from tests.conftest import PASSWORD, make_config
from volunteer.core import outage
from volunteer.extensions import db

ROOT = Path(__file__).resolve().parents[2]


# --- what counts as an outage -------------------------------------------------------------


def _wrapped(orig, invalidated=False):
    return sa_exc.OperationalError("SELECT 1", {}, orig, connection_invalidated=invalidated)


@pytest.mark.parametrize("error", [
    _wrapped(psycopg.OperationalError("connection failed: Connection refused")),
    _wrapped(psycopg.errors.AdminShutdown("terminating connection due to administrator command")),
    _wrapped(psycopg.errors.CannotConnectNow("the database system is starting up")),
    _wrapped(psycopg.errors.TooManyConnections("sorry, too many clients already")),
    _wrapped(RuntimeError("whatever the driver said"), invalidated=True),
    sa_exc.InterfaceError("SELECT 1", {}, psycopg.InterfaceError("the connection is closed")),
    sa_exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached"),
    sa_exc.DisconnectionError("connection lost while idle in the pool"),
    psycopg.OperationalError("server closed the connection unexpectedly"),
    _wrapped(__import__("sqlite3").OperationalError("unable to open database file")),
], ids=lambda e: type(getattr(e, "orig", None) or e).__name__)
def test_outages_are_recognised(error):
    assert outage.is_outage(error)
    try:  # raised from another error, as a template or the login loader would re-raise it
        try:
            raise error
        except Exception as inner:
            raise RuntimeError("while rendering") from inner
    except RuntimeError as outer:
        assert outage.is_outage(outer)


@pytest.mark.parametrize("error", [
    _wrapped(__import__("sqlite3").OperationalError("database is locked")),
    _wrapped(__import__("sqlite3").OperationalError("no such table: users")),
    _wrapped(psycopg.errors.SerializationFailure("could not serialize access")),
    _wrapped(psycopg.errors.DeadlockDetected("deadlock detected")),
    _wrapped(psycopg.errors.QueryCanceled("canceling statement due to statement timeout")),
    sa_exc.IntegrityError("INSERT", {}, psycopg.errors.UniqueViolation("duplicate key")),
    ValueError("not a database error"),
    None,
], ids=lambda e: type(getattr(e, "orig", None) or e).__name__)
def test_other_errors_are_not_outages(error):
    assert not outage.is_outage(error)


# --- a simulated outage, on any database ----------------------------------------------------


@pytest.fixture
def database_stopped(app):
    """While ``state["down"]`` is set, every statement fails as against a stopped server."""
    state = {"down": False, "only": ""}
    with app.app_context():
        engine = db.engine

    def refuse(_conn, _cursor, statement, parameters, _context, _executemany):
        if state["down"] and state["only"] in statement:
            raise sa_exc.OperationalError(
                statement, parameters,
                psycopg.OperationalError("connection failed: Connection refused"))

    event.listen(engine, "before_cursor_execute", refuse)
    yield state
    event.remove(engine, "before_cursor_execute", refuse)
    with outage._lock:
        outage._down_since = None


@pytest.fixture
def outage_log(caplog):
    caplog.set_level(logging.INFO)
    caplog.clear()

    def lines(text):
        return [r for r in caplog.records if text in r.getMessage()]

    return lines


def test_api_answers_503_unavailable_and_recovers(app, client, admin, token_for,
                                                   database_stopped, outage_log):
    headers, phone = token_for(admin), admin.phone
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    database_stopped["down"] = True
    for path in ("/api/v1/me", "/api/v1/tasks", "/api/v1/wishes/wall", "/api/v1/units?q=x"):
        response = client.get(path, headers=headers)
        assert response.status_code == 503, (path, response.get_data(as_text=True)[:300])
        assert response.headers["Retry-After"] == str(
            app.config["DATABASE_UNAVAILABLE_RETRY_AFTER"])
        error = response.get_json()["error"]
        assert error == {"code": "unavailable", "message": "服务暂时不可用，请稍后再试",
                         "fields": {}}
    assert client.post("/api/v1/auth/token", json={"phone": phone, "password": PASSWORD}
                       ).status_code == 503
    assert len(outage_log("database unavailable")) == 1
    assert not [r for r in outage_log("") if r.exc_info]  # no traceback per request
    database_stopped["down"] = False
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert len(outage_log("database back")) == 1
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert len(outage_log("database back")) == 1


def test_pages_answer_a_chinese_503_page_without_touching_the_database(
        app, client, login, make_member, database_stopped, outage_log):
    member = make_member()
    login(member)
    phone = member.phone
    assert client.get("/me").status_code == 200
    database_stopped["down"] = True
    # the session's user is loaded before the view (flask-login's user_loader): that fails
    # first, and the error page must then neither load the user nor count unread messages
    for path in ("/me", "/inbox", "/wall", "/tasks", "/"):
        response = client.get(path)
        assert response.status_code == 503, (path, response.get_data(as_text=True)[:300])
        assert response.headers["Retry-After"] == "5"
        assert "服务暂时不可用，请稍后再试" in response.get_data(as_text=True)
    assert client.post("/login", data={"phone": phone, "password": PASSWORD}
                       ).status_code == 503
    assert len(outage_log("database unavailable")) == 1
    assert not [r for r in outage_log("") if r.exc_info]  # the error page itself never failed
    database_stopped["down"] = False
    assert client.get("/me").status_code == 200  # the session survived the outage
    assert len(outage_log("database back")) == 1


def test_outage_while_the_page_renders(app, client, login, make_member, database_stopped,
                                       outage_log):
    """The user loaded and the view ran; the unread count in the page's header then fails."""
    member = make_member()
    login(member)
    database_stopped["only"] = "count(*)"
    database_stopped["down"] = True
    response = client.get("/me")
    assert response.status_code == 503
    assert "服务暂时不可用" in response.get_data(as_text=True)
    assert not [r for r in outage_log("") if r.exc_info]


def test_database_lost_after_the_answer_was_made(app, client, outage_log):
    """The session's rollback at the end of the request fails: the finished answer stands."""
    with app.app_context():
        engine = db.engine
    armed = {"left": 1}

    def fail_once(_conn):
        if armed["left"]:
            armed["left"] -= 1
            raise sa_exc.OperationalError(
                "ROLLBACK", {}, psycopg.OperationalError("server closed the connection"))

    event.listen(engine, "rollback", fail_once)
    try:
        assert client.get("/wall").status_code == 200
    finally:
        event.remove(engine, "rollback", fail_once)
        with outage._lock:
            outage._down_since = None
    assert armed["left"] == 0
    assert len(outage_log("database unavailable")) == 1
    assert client.get("/wall").status_code == 200


def test_settings_reach_the_postgresql_engine(app):  # app: the instance folder is set
    from volunteer import create_app

    app = create_app(make_config("postgresql://nobody@127.0.0.1:9/none", "/tmp",
                                 DATABASE_CONNECT_TIMEOUT=3, DATABASE_POOL_TIMEOUT=7))
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"]["connect_timeout"] == 3
    assert options["pool_timeout"] == 7


def test_scheduler_job_survives_an_outage(app, database_stopped, outage_log):
    from volunteer.scheduler import run_job

    def job(now):
        return db.session.scalar(db.text("SELECT 1"))

    database_stopped["down"] = True
    assert run_job(app, job, "probe") is None
    assert run_job(app, job, "probe") is None
    assert len(outage_log("database unavailable")) == 1
    assert not [r for r in outage_log("") if r.exc_info]
    database_stopped["down"] = False
    assert run_job(app, job, "probe") == 1
    assert len(outage_log("database back")) == 1


def test_cli_reports_an_outage_in_one_line(monkeypatch, capsys):
    from flask.cli import FlaskGroup

    from volunteer import cli

    def stopped(*_args, **_kwargs):
        raise _wrapped(psycopg.OperationalError("connection failed: Connection refused"))

    monkeypatch.setattr(FlaskGroup, "main", stopped)
    monkeypatch.setattr(sys, "argv", ["volunteer", "reports", "run"])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "数据库暂时不可用" in err and "Connection refused" in err
    assert "Traceback" not in err


# --- a real PostgreSQL outage under load ----------------------------------------------------


def _pg_bindir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return str(Path(found[-1]).parent)
    initdb = shutil.which("initdb")
    return str(Path(initdb).parent) if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A throw-away PostgreSQL cluster in a temporary folder, trust auth on 127.0.0.1 only."""

    def __init__(self, bindir: str):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="tt-outage-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_postgres = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args, timeout=60):
        subprocess.run([*self.as_postgres, *args], check=True, timeout=timeout,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def create(self):
        self._run(f"{self.bindir}/initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
        self.start()

    def start(self):
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
                   "-c full_page_writes=off -c synchronous_commit=off")
        self._run(f"{self.bindir}/pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"),
                  "-o", options, "-w", "-t", "30", "start")

    def stop(self):
        self._run(f"{self.bindir}/pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self):
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                self._run(f"{self.bindir}/pg_ctl", "-D", str(self.data), "-m", "immediate",
                          "-w", "stop", timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database="postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture
def cluster():
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("running as root without runuser: cannot start PostgreSQL as postgres")
    made = Cluster(bindir)
    try:
        made.create()
        yield made
    finally:
        made.remove()


def _prepare_database(cluster: Cluster, instance: str) -> dict:
    """Migrate a fresh database and make an admin; return its bearer header and phone."""
    from flask_migrate import upgrade

    from volunteer import create_app
    from volunteer.auth.models import User
    from volunteer.auth.services import hash_password, issue_api_token

    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE tt_outage")
    app = create_app(make_config(cluster.url("tt_outage"), instance))
    with app.app_context():
        upgrade()
        admin = User(role="district_admin", name="区委组织部", phone="13900000001",
                     password_hash=hash_password(PASSWORD), status="approved")
        db.session.add(admin)
        db.session.flush()
        token, _row = issue_api_token(admin)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {"token": token, "phone": "13900000001"}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _opener(jar=None):
    handlers = [_NoRedirect()]
    if jar is not None:
        handlers.append(urllib.request.HTTPCookieProcessor(jar))
    return urllib.request.build_opener(*handlers)


def _get(opener, url, headers=None, data=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.postgres
@pytest.mark.outage
def test_postgresql_stopped_under_load(cluster, tmp_path):
    instance = str(tmp_path / "instance")
    prepared = _prepare_database(cluster, instance)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": cluster.url("tt_outage"),
           "SECRET_KEY": make_config("", "")["SECRET_KEY"], "VOLUNTEER_INSTANCE_PATH": instance,
           "VOLUNTEER_PASSWORD_TIME_COST": "1", "VOLUNTEER_PASSWORD_MEMORY_COST": "1024",
           "VOLUNTEER_PASSWORD_PARALLELISM": "1"}
    log_path = tmp_path / "server.log"
    # one worker, so that "one line per outage" is one line in this log
    command = [sys.executable, "-m", "gunicorn", "-w", "1", "-k", "gthread", "--threads", "4",
               "-b", f"127.0.0.1:{port}", "--timeout", "60", "wsgi:app"]
    if "control_socket_disable" in GunicornConfig().settings:  # gunicorn 24+: no shared socket
        command.append("--no-control-socket")
    with open(log_path, "wb") as log_file:
        server = subprocess.Popen(
            command,
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        _drive_outage(cluster, f"http://127.0.0.1:{port}", prepared, log_path)
    finally:
        server.terminate()
        server.wait(timeout=20)
    log = log_path.read_text(errors="replace")
    assert log.count("database unavailable") == 1, log[-4000:]
    assert log.count("database back") == 1, log[-4000:]
    assert "Traceback" not in log, log[-4000:]


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if _get(_opener(), f"{base}/api/v1/wishes/wall")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail("the application did not start")


def _drive_outage(cluster: Cluster, base: str, prepared: dict, log_path: Path) -> None:
    _wait_until_up(base)
    jar = http.cookiejar.CookieJar()
    pages = _opener(jar)
    _status, _headers, body = _get(pages, f"{base}/login")
    csrf = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()
    form = f"csrf_token={csrf}&phone={prepared['phone']}&password={PASSWORD}".encode()
    status, _headers, _body = _get(pages, f"{base}/login", data=form)
    assert status == 302, _body[:500]
    bearer = {"Authorization": f"Bearer {prepared['token']}"}
    clients = [  # (opener, path, headers): the API with a token, pages with a session, anonymous
        (_opener(), "/api/v1/me", bearer), (_opener(), "/api/v1/tasks", bearer),
        (pages, "/inbox", {}), (pages, "/tasks", {}), (_opener(), "/wall", {}),
        (_opener(), "/api/v1/wishes/wall", {}),
    ]
    for opener, path, headers in clients:
        assert _get(opener, base + path, headers)[0] == 200, path

    answers: list[tuple[float, str, int, dict]] = []
    stop = threading.Event()

    def drive(index: int) -> None:
        count = 0
        while not stop.is_set() and count < 2000:
            opener, path, headers = clients[(index + count) % len(clients)]
            count += 1
            try:
                status, got, _body = _get(opener, base + path, headers)
            except OSError as error:  # the application itself must stay up
                status, got = f"no answer: {error}", {}
            answers.append((time.monotonic(), path, status, got))
            time.sleep(0.02)

    threads = [threading.Thread(target=drive, args=(i,), daemon=True) for i in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    stopped_at = time.monotonic()
    cluster.stop()
    time.sleep(10)
    cluster.start()
    started_at = time.monotonic()
    time.sleep(5)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    during = [a for a in answers if stopped_at <= a[0] <= started_at]
    unavailable = [a for a in during if a[2] == 503]
    print(f"{len(answers)} answers, {len(during)} while stopped, {len(unavailable)} were 503")
    assert unavailable, "the outage was never seen"
    wrong = [a[1:3] for a in answers if a[2] not in (200, 503)]
    assert not wrong, (wrong[:10], log_path.read_text(errors="replace")[-3000:])
    assert all(a[3].get("Retry-After") == "5" for a in unavailable)
    # a second after the server is back every answer is normal again, with the same app
    after = [a for a in answers if a[0] >= started_at + 1]
    assert after and all(a[2] == 200 for a in after), [a[1:3] for a in after if a[2] != 200]
