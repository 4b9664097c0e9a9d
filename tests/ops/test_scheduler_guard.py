"""A second scheduler waits while the first runs and takes over when it dies."""

import subprocess
import sys
import time

from sqlalchemy import make_url

from volunteer.extensions import db
from volunteer.ops.guard import SCHEDULER_LOCK, SchedulerGuard

HOLDER_PG = """
import sys, time, psycopg
conn = psycopg.connect(sys.argv[1], autocommit=True)
assert conn.execute("SELECT pg_try_advisory_lock(%s)", (int(sys.argv[2]),)).fetchone()[0]
print("held", flush=True)
time.sleep(600)
"""
HOLDER_FILE = """
import fcntl, sys, time
handle = open(sys.argv[1], "a+")
fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
print("held", flush=True)
time.sleep(600)
"""


def _holder(app):
    """Start a process holding the guard the way a running scheduler does."""
    if db.engine.dialect.name == "postgresql":
        url = make_url(db.engine.url.render_as_string(hide_password=False))
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        args = [sys.executable, "-c", HOLDER_PG, dsn, str(SCHEDULER_LOCK)]
    else:
        args = [sys.executable, "-c", HOLDER_FILE, f"{app.instance_path}/scheduler.lock"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def test_one_guard_at_a_time_in_one_process(app, ctx):
    first, second = SchedulerGuard(app.instance_path), SchedulerGuard(app.instance_path)
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        first.release()
        assert second.try_acquire()
    finally:
        first.release()
        second.release()


def test_a_second_scheduler_waits_and_takes_over_when_the_first_dies(app, ctx, caplog):
    holder = _holder(app)
    guard = SchedulerGuard(app.instance_path)
    try:
        assert guard.wait(every=0.05, attempts=3) is False
        assert "another scheduler is running" in caplog.text
        holder.kill()
        holder.wait(timeout=10)
        started = time.monotonic()
        assert guard.wait(every=0.1, attempts=100) is True
        assert time.monotonic() - started < 10
        assert "takes over" in caplog.text
    finally:
        holder.kill()
        guard.release()
