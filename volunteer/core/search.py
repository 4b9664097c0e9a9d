"""Text search in lists: a typed phrase found anywhere in any of some columns, its ``%`` and
``_`` taken literally, case-insensitive where the database knows case."""

from sqlalchemy import or_

SEARCH_MAX = 50  # what a list's search box takes


def contains_any(text: str | None, *columns):
    """A condition: ``text`` (trimmed) occurs in one of ``columns``; None for an empty text."""
    text = (text or "").strip()[:SEARCH_MAX]
    if not text:
        return None
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(*(column.ilike(f"%{escaped}%", escape="\\") for column in columns))
