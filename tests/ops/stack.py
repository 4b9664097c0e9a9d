"""Real parts for the scale-out test and bench/scaleout.py: a PostgreSQL primary and its
streaming replica (``pg_basebackup -R``), gunicorn instances started with deploy/gunicorn.conf.py,
and Debian's nginx in front of them — each on a free port of 127.0.0.1, in temporary folders,
all stopped and removed by ``Stack.close()`` (also when a step failed half-way).
"""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import psycopg

from tests.core.test_outage import Cluster, _free_port, _pg_bindir

ROOT = Path(__file__).resolve().parents[2]
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
PASSWORD = "Passw0rd!"
DATABASE = "tt_scaleout"
SECRET_KEY = "scale-out-test-secret-key-not-for-production"
# cheap hashes: the test logs in, it does not measure argon2
FAST_HASHES = {"VOLUNTEER_PASSWORD_TIME_COST": "1", "VOLUNTEER_PASSWORD_MEMORY_COST": "1024",
               "VOLUNTEER_PASSWORD_PARALLELISM": "1"}


def missing_parts() -> str | None:
    """Why the stack cannot be built here, or None."""
    if _pg_bindir() is None or not Path(_pg_bindir(), "pg_basebackup").exists():
        return "PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) are not installed"
    if not Path(NGINX).exists():
        return f"nginx is not installed at {NGINX}"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "running as root without runuser: cannot start PostgreSQL as postgres"
    return None


class Replica(Cluster):
    """A hot standby of ``primary``, copied with ``pg_basebackup -R`` (which writes
    ``standby.signal`` and ``primary_conninfo``), streaming from it."""

    def __init__(self, bindir: str, primary: Cluster):
        super().__init__(bindir)
        self.primary = primary

    def create(self):
        self._run(f"{self.bindir}/pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary.port),
                  "-U", "postgres", "-D", str(self.data), "-R", "-X", "stream",
                  "--checkpoint=fast", "--no-sync", timeout=120)
        with open(self.data / "postgresql.auto.conf", "a") as conf:
            # the primary keeps rows a long dashboard query on the standby still reads
            conf.write("hot_standby_feedback = on\n")
            # the test reads which statements the replica ran, and from which application
            conf.write("log_statement = 'all'\nlog_line_prefix = '%a '\n")
        self.start()


class Stack:
    """Build with the methods below in order; ``close()`` undoes whatever was built."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="tt-scaleout-"))
        self.primary: Cluster | None = None
        self.replica: Replica | None = None
        self.servers: dict[int, subprocess.Popen] = {}  # port → gunicorn master
        self.nginx: subprocess.Popen | None = None
        self.nginx_port: int | None = None
        self.seeded: dict = {}

    # --- PostgreSQL ---------------------------------------------------------------------

    def start_databases(self) -> None:
        bindir = _pg_bindir()
        self.primary = Cluster(bindir)
        self.primary.create()
        with psycopg.connect(self.primary.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
        self.replica = Replica(bindir, self.primary)
        self.replica.create()

    def primary_url(self) -> str:
        return self.primary.url(DATABASE)

    def replica_url(self) -> str:
        return self.replica.url(DATABASE)

    def wait_for_replay(self, timeout: float = 30) -> None:
        """Until the replica has replayed everything the primary wrote so far."""
        with psycopg.connect(self.primary.url(), autocommit=True) as conn:
            target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        with psycopg.connect(self.replica.url(), autocommit=True) as conn:
            while time.monotonic() < deadline:
                if conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn",
                                (str(target),)).fetchone()[0]:
                    return
                time.sleep(0.1)
        raise AssertionError("the replica did not catch up within 30 s")

    def migrate_and_seed(self, members: int, slots: int, tasks: int = 1) -> dict:
        """The app's migrations on the primary, then a street, a community, ``tasks`` tasks
        of ``slots`` slots (a day apart, so one member may claim each), ``members`` approved
        members with API tokens, a district admin and a member whose logins the throttle test
        fails."""
        from flask_migrate import upgrade
        from sqlalchemy import insert, select

        from tests.conftest import make_config
        from volunteer import create_app
        from volunteer.auth.models import User
        from volunteer.auth.services import hash_password, issue_api_token
        from volunteer.core.time import utcnow
        from volunteer.extensions import db
        from volunteer.orgs.models import Community, Street, Unit
        from volunteer.tasks.services import create_task

        app = create_app(make_config(self.primary_url(), str(self.root / "instance-seed"),
                                     SECRET_KEY=SECRET_KEY))  # tokens are keyed with it
        with app.app_context():
            upgrade()
            street = Street(name="任港街道")
            db.session.add(street)
            db.session.flush()
            community = Community(name="大庆社区", street_id=street.id)
            unit = Unit(name="南通市第二中学", kind="school")
            db.session.add_all([community, unit])
            db.session.flush()
            password = hash_password(PASSWORD)
            place = {"community_id": community.id, "street_id": street.id}
            secretary = User(role="community_secretary", name="大庆社区书记",
                             phone="13900000004", password_hash=password, **place)
            admin = User(role="district_admin", name="区委组织部", phone="13900000001",
                         password_hash=password, status="approved")
            db.session.add_all([secretary, admin])
            db.session.execute(insert(User), [
                {"role": "member", "name": f"党员{i:04d}", "phone": f"137{i:08d}",
                 "password_hash": password, "status": "approved", "unit_id": unit.id, **place}
                for i in range(members + 1)])
            start = utcnow() + timedelta(days=1)
            task_ids = [create_task(secretary, title=f"协助转运{n}", category="transfer",
                                    location="万濠华府", description="",
                                    starts_at=start + timedelta(days=n),
                                    ends_at=start + timedelta(days=n, hours=3), slots=slots).id
                        for n in range(tasks)]
            member_ids = list(db.session.scalars(
                select(User.id).where(User.role == "member").order_by(User.id)))
            tokens = [issue_api_token(db.session.get(User, uid))[0] for uid in member_ids[:-1]]
            admin_token = issue_api_token(admin)[0]
            db.session.commit()
            self.seeded = {"tasks": task_ids, "tokens": tokens, "admin_phone": admin.phone,
                           "admin_token": admin_token, "member_phone": "13700000000",
                           "throttled_phone": f"137{members:08d}", "slots": slots}
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
        return self.seeded

    # --- gunicorn and nginx -------------------------------------------------------------

    def environment(self, port: int, replica: bool = True, workers: int = 2) -> dict:
        env = {**os.environ, **FAST_HASHES, "PYTHONPATH": str(ROOT),
               "DATABASE_URL": self.primary_url(), "SECRET_KEY": SECRET_KEY,
               # each instance its own folder, as on two machines: only the database is shared
               "VOLUNTEER_INSTANCE_PATH": str(self.root / f"instance-{port}"),
               "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers),
               "VOLUNTEER_PROXY_FIX": "1", "VOLUNTEER_DATABASE_REPLICA_HEADER": "true"}
        if replica:
            env["DATABASE_REPLICA_URL"] = self.replica_url()
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        return env

    def start_gunicorn(self, replica: bool = True, workers: int = 2) -> int:
        from gunicorn.config import Config as GunicornConfig

        port = _free_port()
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy/gunicorn.conf.py"),
                   "wsgi:app"]
        if "control_socket_disable" in GunicornConfig().settings:  # gunicorn 24+
            command.insert(-1, "--no-control-socket")
        with open(self.root / f"gunicorn-{port}.log", "wb") as log:
            self.servers[port] = subprocess.Popen(
                command, cwd=ROOT, env=self.environment(port, replica, workers), stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        self._wait(f"http://127.0.0.1:{port}/healthz", self.servers[port])
        return port

    def start_nginx(self, upstreams: list[int]) -> int:
        """nginx on a free port balancing ``upstreams``, with the site's ``location /`` block
        from deploy/nginx/tongtong.conf; each answer names its upstream in X-Upstream."""
        if self.nginx is not None:
            self.stop_nginx()
        folder = self.root / "nginx"
        folder.mkdir(exist_ok=True)
        folder.chmod(0o777)  # the workers run as nobody when the master is root
        self.nginx_port = _free_port()
        site = (ROOT / "deploy/nginx/tongtong.conf").read_text()
        location = re.search(r"\n    location / \{\n.*?\n    \}\n", site, re.DOTALL).group(0)
        servers = "\n".join(f"        server 127.0.0.1:{port} fail_timeout=0;"
                            for port in upstreams)
        temp = "\n".join(f"    {name}_temp_path {folder}/{name};"
                         for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (folder / "nginx.conf").write_text(f"""daemon off;
worker_processes 2;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temp}
    upstream tongtong_app {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{self.nginx_port};
        server_name localhost;
        client_max_body_size 4m;
        add_header X-Upstream $upstream_addr always;
{location}
    }}
}}
""")
        self.nginx = subprocess.Popen(
            [NGINX, "-e", str(folder / "error.log"), "-p", str(folder), "-c",
             str(folder / "nginx.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait(f"http://127.0.0.1:{self.nginx_port}/healthz", self.nginx)
        return self.nginx_port

    def stop_nginx(self) -> None:
        if self.nginx is not None:
            _stop(self.nginx, signal.SIGQUIT)
            self.nginx = None

    @staticmethod
    def _wait(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
            with contextlib.suppress(OSError, urllib.error.URLError), \
                    urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")

    def replica_log(self) -> str:
        return (self.replica.root / "log").read_text(errors="replace")

    def log(self, port: int) -> str:
        return (self.root / f"gunicorn-{port}.log").read_text(errors="replace")

    # --- the end ------------------------------------------------------------------------

    def close(self) -> None:
        self.stop_nginx()
        for process in self.servers.values():
            _stop(process, signal.SIGTERM)
        self.servers.clear()
        for cluster in (self.replica, self.primary):
            if cluster is not None:
                cluster.remove()
        shutil.rmtree(self.root, ignore_errors=True)


def _stop(process: subprocess.Popen, sig: int) -> None:
    """Stop a process started in its own session, its children with it."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
