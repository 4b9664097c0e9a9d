"""Input at the edge: the bounds of every number and date read from outside, and the refusal of
control characters in query strings, form fields and path segments.

PostgreSQL's ``integer`` holds at most 2**31 - 1 (SQLite's at most 2**63 - 1) and Python's
``date`` ends in year 9999, so an unbounded id, count or date from a client used to reach the
database or the date arithmetic and answer 500. NUL is refused by PostgreSQL in any text.
Everything that reads a number or text from a request goes through this module (the API's
pydantic types in ``core.api`` and the page forms in ``core.forms`` build on it).
"""

import re
from datetime import date, datetime

from flask import Flask, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, ValidationError

from volunteer.core.errors import ValidationFailed
from volunteer.core.i18n import N_

INT_MAX = 2**31 - 1  # PostgreSQL's integer: the widest column an id, a count or a value has
DATE_MIN, DATE_MAX = date(2000, 1, 1), date(2100, 12, 31)  # room for date arithmetic either way

# C0 controls except tab, line feed and carriage return; DEL; lone UTF-16 surrogates
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
CONTROL_MESSAGE = N_("含有不允许的控制字符")
RANGE_MESSAGE = N_("数值超出范围")
DATE_MESSAGE = N_("日期应在 2000 年到 2100 年之间")  # DATE_MIN .. DATE_MAX


def has_control_characters(value) -> bool:
    """Whether ``value`` holds a character no text field accepts (NUL and the like); a value
    that is not text (a multipart part without a name or value arrives as None) holds none."""
    return isinstance(value, str) and _FORBIDDEN.search(value) is not None


def bounded_int(raw, *, minimum: int = 1, maximum: int = INT_MAX) -> int | None:
    """``raw`` as an int within the bounds, or None when it is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    else:
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            return None
    if not minimum <= value <= min(maximum, INT_MAX):
        return None
    return value


def date_in_range(value: date | None) -> bool:
    """Whether a date (or a datetime's date) lies within ``DATE_MIN`` .. ``DATE_MAX``."""
    if value is None:
        return True
    day = value.date() if isinstance(value, datetime) else value
    return DATE_MIN <= day <= DATE_MAX


def bounded_date(raw: str | None) -> date | None:
    """An ISO date from a query string within the sane range, or None."""
    try:
        value = date.fromisoformat((raw or "").strip())
    except ValueError:
        return None
    return value if date_in_range(value) else None


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` in every route: at most ``INT_MAX``, so a larger path id is a plain 404.

    The 404 is raised here rather than by declining the match: a declined match lets the router
    go on to the same path's rules for other methods and answer 405 Method Not Allowed.
    """

    openapi_schema = {"type": "integer", "minimum": 1, "maximum": INT_MAX}

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str):
        try:
            return super().to_python(value)
        except ValidationError:
            if value.isdigit() and int(value) > INT_MAX:
                raise NotFound() from None
            raise


def _bad_names() -> dict[str, str]:
    bad: dict[str, str] = {}
    sources = [request.args]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sources.append(request.form)
    for source in sources:
        for name, values in source.lists():
            if has_control_characters(name) or any(has_control_characters(v) for v in values):
                bad[name] = CONTROL_MESSAGE
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and has_control_characters(value):
            bad[name] = CONTROL_MESSAGE
    return bad


def refuse_control_characters():
    """Before every request: a query string, form field or path segment with a control
    character is refused with 400 (the JSON error under /api/, a Chinese page elsewhere)."""
    bad = _bad_names()
    if bad:
        raise ValidationFailed(N_("提交的内容含有不允许的控制字符"), fields=bad)


def init_app(app: Flask) -> None:
    """Bound ``<int:…>`` path ids and refuse control characters; call before any route."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(refuse_control_characters)
