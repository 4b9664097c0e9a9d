"""A throttle kept in the database, so every gunicorn worker sees the same counts."""

import hashlib
from datetime import timedelta

from sqlalchemy import delete, func, select, text

from volunteer.core.models import ThrottleEvent
from volunteer.core.time import utcnow
from volunteer.extensions import db


def count_events(bucket: str, key: str, window: timedelta) -> int:
    """How many events of ``bucket``/``key`` fell inside the window."""
    since = utcnow() - window
    stmt = select(func.count()).select_from(ThrottleEvent).where(
        ThrottleEvent.bucket == bucket, ThrottleEvent.key == key, ThrottleEvent.created_at >= since
    )
    return db.session.scalar(stmt) or 0


def record_event(bucket: str, key: str) -> None:
    """Count one event."""
    db.session.add(ThrottleEvent(bucket=bucket, key=key))


def _lock(bucket: str, key: str) -> None:
    """Hold a PostgreSQL advisory lock on one bucket/key until the transaction ends.

    Without it concurrent transactions each count the same committed rows and all pass (a burst
    of 40 logins let 6 through a limit of 5). SQLite needs nothing: every transaction there
    begins with BEGIN IMMEDIATE, which already serialises writers.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"{bucket}\0{key}".encode()).digest()
    db.session.execute(text("SELECT pg_advisory_xact_lock(:lock_key)"),
                       {"lock_key": int.from_bytes(digest[:8], "big", signed=True)})


def take(checks: list[tuple[str, str, int]], window: timedelta) -> list[ThrottleEvent] | None:
    """Count and record one event in each (bucket, key, limit) as one step, or record nothing
    and return None when any of them already holds ``limit`` events in the window.

    The count and the insert happen under a lock held until the caller commits, so the limit
    is exact under concurrency; commit soon after (before slow work such as hashing).
    """
    checks = sorted((bucket, key[:128], limit) for bucket, key, limit in checks)
    for bucket, key, _limit in checks:
        _lock(bucket, key)
    if any(count_events(bucket, key, window) >= limit for bucket, key, limit in checks):
        return None
    events = [ThrottleEvent(bucket=bucket, key=key) for bucket, key, _limit in checks]
    db.session.add_all(events)
    db.session.flush()
    return events


def forget_events(ids) -> None:
    """Delete events recorded by ``take``, by id (an attempt that turned out well)."""
    ids = list(ids)
    if ids:
        db.session.execute(delete(ThrottleEvent).where(ThrottleEvent.id.in_(ids)))


def clear_events(bucket: str, key: str) -> None:
    """Forget the events of one key (a successful login clears its failures)."""
    db.session.execute(delete(ThrottleEvent).where(ThrottleEvent.bucket == bucket,
                                                   ThrottleEvent.key == key))


def purge_events(older_than: timedelta = timedelta(days=1)) -> int:
    """Delete old events; housekeeping."""
    result = db.session.execute(delete(ThrottleEvent).where(
        ThrottleEvent.created_at < utcnow() - older_than))
    return result.rowcount or 0
