"""Time helpers: stored times are timezone-aware UTC; local time only for display and periods."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def local_zone() -> ZoneInfo:
    """The configured local time zone (Asia/Shanghai by default)."""
    name = current_app.config.get("TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or "Asia/Shanghai")


def to_local(moment: datetime | None) -> datetime | None:
    """Convert an aware (or naive-UTC) time to local time for display."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(local_zone())


def isoformat(moment: datetime | None) -> str | None:
    """ISO 8601 with the local offset, as the API answers times."""
    local = to_local(moment)
    return local.isoformat(timespec="seconds") if local else None


def format_local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Local time as text for pages."""
    local = to_local(moment)
    return local.strftime(fmt) if local else ""
