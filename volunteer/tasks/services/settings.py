"""Settings read at call time, and local wall-clock time as UTC."""

from datetime import UTC, date, datetime, time, timedelta

from flask import current_app

from volunteer.core.time import local_zone


def _setting(name: str, default):
    return current_app.config.get(name, default)


def cancel_cutoff() -> timedelta:
    return timedelta(hours=_setting("TASK_CANCEL_CUTOFF_HOURS", 2))


def check_in_early() -> timedelta:
    return timedelta(minutes=_setting("TASK_CHECKIN_EARLY_MINUTES", 30))


def check_out_late() -> timedelta:
    return timedelta(minutes=_setting("TASK_CHECKOUT_LATE_MINUTES", 120))


def local_datetime(day: date, at: time) -> datetime:
    """A local wall-clock time as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=local_zone()).astimezone(UTC)


def local_day_range(day: date) -> tuple[datetime, datetime]:
    start = local_datetime(day, time())
    return start, local_datetime(day + timedelta(days=1), time())
