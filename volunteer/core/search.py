"""Searching lists: a typed phrase found anywhere in any of some columns (its ``%`` and ``_``
taken literally, case-insensitive where the database knows case), and a range of local days."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import or_

from volunteer.core.time import local_zone

SEARCH_MAX = 50  # what a list's search box takes


def contains_any(text: str | None, *columns):
    """A condition: ``text`` (trimmed) occurs in one of ``columns``; None for an empty text."""
    text = (text or "").strip()[:SEARCH_MAX]
    if not text:
        return None
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(*(column.ilike(f"%{escaped}%", escape="\\") for column in columns))


def local_midnight(day: date) -> datetime:
    """The start of a local (Asia/Shanghai) day, as an aware UTC datetime."""
    return datetime.combine(day, time(), tzinfo=local_zone()).astimezone(UTC)


def within_days(column, date_from: date | None, date_to: date | None) -> list:
    """Conditions: a timestamp ``column`` falls on a local day from ``date_from`` to
    ``date_to``, both included (either may be None)."""
    conds = []
    if date_from:
        conds.append(column >= local_midnight(date_from))
    if date_to:
        conds.append(column < local_midnight(date_to + timedelta(days=1)))
    return conds
