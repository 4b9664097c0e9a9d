"""Health, readiness and the scheduler's heartbeat.

``/healthz`` says the process answers and touches nothing. ``/readyz`` says whether this web
server should get traffic: the database answers and its migrations are at the head the code
expects (503 otherwise); the scheduler's heartbeat age is reported, never a reason for 503 —
a stopped scheduler delays reminders but every page still works.
"""

import os
import socket
from datetime import datetime
from functools import lru_cache

from sqlalchemy import select, text

from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.ops.models import SchedulerHeartbeat

SCHEDULER = "scheduler"


def record_heartbeat(now: datetime | None = None, name: str = SCHEDULER) -> SchedulerHeartbeat:
    """Write the scheduler's heartbeat (the job runs every minute, and once at start)."""
    now = now or utcnow()
    beat = db.session.get(SchedulerHeartbeat, name)
    if beat is None:
        beat = SchedulerHeartbeat(name=name)
        db.session.add(beat)
    beat.beat_at, beat.host, beat.pid = now, socket.gethostname()[:255], os.getpid()
    db.session.flush()
    return beat


def heartbeat_age(now: datetime | None = None, name: str = SCHEDULER) -> float | None:
    """Seconds since the scheduler's last heartbeat; None when it never beat."""
    beat_at = db.session.scalar(select(SchedulerHeartbeat.beat_at).where(
        SchedulerHeartbeat.name == name))
    if beat_at is None:
        return None
    return round(max(0.0, ((now or utcnow()) - beat_at).total_seconds()), 1)


@lru_cache(maxsize=1)
def expected_heads() -> tuple[str, ...]:
    """The migration heads this code ships (read once from the migrations folder)."""
    from alembic.script import ScriptDirectory
    from flask import current_app

    config = current_app.extensions["migrate"].migrate.get_config()
    return tuple(sorted(ScriptDirectory.from_config(config).get_heads()))


def current_heads() -> tuple[str, ...]:
    """The revisions the database is at."""
    rows = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars()
    return tuple(sorted(rows))


def readiness(now: datetime | None = None) -> tuple[bool, dict]:
    """(ready, body) for ``/readyz``: ``database`` and ``migrations`` decide, ``scheduler``
    is the heartbeat's age in seconds (None: never seen)."""
    body: dict = {"database": "ok", "migrations": "ok", "scheduler": None}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach it is "not ready", never a 500
        db.session.rollback()
        body.update(database="unavailable", migrations="unknown")
        return False, body
    try:
        current = current_heads()
    except Exception:  # no alembic_version table: an empty, unmigrated database
        db.session.rollback()
        current = ()
    expected = expected_heads()
    if current != expected:
        body["migrations"] = "behind" if current else "missing"
        body["migrations_expected"], body["migrations_current"] = list(expected), list(current)
    try:
        body["scheduler"] = heartbeat_age(now)
    except Exception:  # the heartbeat table may not exist yet before the migrations ran
        db.session.rollback()
    return body["migrations"] == "ok", body
