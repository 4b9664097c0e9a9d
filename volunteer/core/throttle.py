"""A throttle kept in the database, so every gunicorn worker sees the same counts."""

from datetime import timedelta

from sqlalchemy import delete, func, select

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


def clear_events(bucket: str, key: str) -> None:
    """Forget the events of one key (a successful login clears its failures)."""
    db.session.execute(delete(ThrottleEvent).where(ThrottleEvent.bucket == bucket,
                                                   ThrottleEvent.key == key))


def purge_events(older_than: timedelta = timedelta(days=1)) -> int:
    """Delete old events; housekeeping."""
    result = db.session.execute(delete(ThrottleEvent).where(
        ThrottleEvent.created_at < utcnow() - older_than))
    return result.rowcount or 0
