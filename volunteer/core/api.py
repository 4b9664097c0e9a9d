"""JSON helpers for the client API: errors, body parsing, pagination, endpoint docs."""

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Annotated, Literal, TypeVar

from flask import Blueprint, current_app, jsonify, request
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
)

from volunteer.core.edge import (
    CONTROL_MESSAGE,
    DATE_MESSAGE,
    INT_MAX,
    date_in_range,
    has_control_characters,
)
from volunteer.core.errors import DomainError, ValidationFailed
from volunteer.core.search import SEARCH_MAX
from volunteer.extensions import csrf, db

M = TypeVar("M", bound=BaseModel)
PAGE_MAX = 100000  # the highest ``page`` a list accepts


def _sane_date(value):
    if not date_in_range(value):
        raise ValueError(DATE_MESSAGE)
    return value


# The bounded types every body model uses (see core.edge): an id of any object or list of
# objects, any other integer, a date, a moment. Larger values answer 400 naming the field.
Id = Annotated[int, Field(ge=1, le=INT_MAX)]
Int = Annotated[int, Field(ge=-INT_MAX, le=INT_MAX)]
Number = Annotated[float, Field(ge=-INT_MAX, le=INT_MAX, allow_inf_nan=False)]
Day = Annotated[date, AfterValidator(_sane_date)]
Moment = Annotated[AwareDatetime, AfterValidator(_sane_date)]


def _has_control(value) -> bool:
    if isinstance(value, str):
        return has_control_characters(value)
    if isinstance(value, dict):
        return any(_has_control(k) or _has_control(v) for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return any(_has_control(item) for item in value)
    return False


class ApiModel(BaseModel):
    """The base of every API body model: no text anywhere in it holds a control character."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value):
        if _has_control(value):
            raise ValueError(CONTROL_MESSAGE)
        return value


def api_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint under /api/v1, exempt from the form CSRF check (see ``web.api_csrf``)."""
    bp = Blueprint(name, import_name, url_prefix="/api/v1")
    csrf.exempt(bp)
    return bp


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    """The error body SPEC.md fixes, with its status."""
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status


def domain_error_response(error: DomainError):
    return error_response(error.status, error.code, error.message, error.fields)


def Required(max_length: int, choices: Iterable[str] | None = None, default=...,  # noqa: N802
             **schema):
    """A text field the service refuses empty (or outside ``choices``), stated in the document
    as ``minLength: 1`` (and ``enum``, and any other JSON schema keywords the service checks,
    such as a ``pattern``); the service's own check keeps its Chinese message."""
    extra: dict = {"minLength": 1, **schema}
    if choices is not None:
        extra["enum"] = list(choices)
    return Field(default, max_length=max_length, json_schema_extra=extra)


class Out(BaseModel):
    """A response model: what a serialiser returns, no more (``extra="forbid"``), so the OpenAPI
    document states each answer and a test or the fuzzer notices when the two drift apart."""

    model_config = ConfigDict(extra="forbid")


def one_of(values: Iterable[str]):
    """A string restricted to ``values`` (the keys of a constants mapping): an enum in the
    document."""
    return Literal[tuple(values)]


# A timestamp as ``core.time.isoformat`` writes it: ISO 8601 with its offset.
Timestamp = datetime


class OkOut(Out):
    ok: Literal[True]


PAGE_FIELDS = {"page": (int, Field(ge=1)), "per_page": (int, Field(ge=1)),
               "total": (int, Field(ge=0))}


def page_of(item: type[BaseModel], name: str | None = None, **extra) -> type[Out]:
    """The list envelope ``{items, page, per_page, total}`` (plus ``extra`` fields) of ``item``."""
    fields = {"items": (list[item], ...), **PAGE_FIELDS, **extra}
    return create_model(name or f"{item.__name__}Page", __base__=Out, **fields)


def doc(summary: str, *, body: type[BaseModel] | None = None, auth: bool = True,
        status: int = 200, query: dict | None = None, errors: tuple = (),
        response: type[BaseModel] | dict | None = None, content_type: str = "application/json",
        multipart: dict | None = None, path: dict | None = None) -> Callable:
    """Attach OpenAPI facts to an API view (read by ``core.openapi``).

    ``query`` maps a parameter to a type name or a JSON schema; ``response`` is the model of the
    success answer (``content_type`` for a file); ``multipart`` the form fields of an upload;
    ``path`` the JSON schema of a path parameter that is not an integer id."""

    def decorate(view):
        view.api_doc = {"summary": summary, "body": body, "auth": auth, "status": status,
                        "query": query or {}, "errors": errors, "response": response,
                        "content_type": content_type, "multipart": multipart,
                        "path": path or {}}
        return view

    return decorate


_MESSAGES = {
    "missing": "必填",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "datetime_type": "应为带时区的 ISO 8601 时间，如 2026-11-26T09:00:00+08:00",
    "datetime_parsing": "应为带时区的 ISO 8601 时间，如 2026-11-26T09:00:00+08:00",
    "datetime_from_date_parsing": "应为带时区的 ISO 8601 时间，如 2026-11-26T09:00:00+08:00",
    "timezone_aware": "时间需带时区，如 +08:00",
    "date_type": "应为日期，如 2026-11-26",
    "date_parsing": "应为日期，如 2026-11-26",
    "date_from_datetime_parsing": "应为日期，如 2026-11-26",
    "literal_error": "取值无效",
    "enum": "取值无效",
    "extra_forbidden": "不支持的字段",
}


def _message(err: dict) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "string_too_long":
        return f"不能超过 {ctx.get('max_length')} 个字符"
    if kind == "string_too_short":
        return "不能为空" if ctx.get("min_length") == 1 else f"至少 {ctx.get('min_length')} 个字符"
    if kind == "too_long":
        return f"最多 {ctx.get('max_length')} 项"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于 {ctx.get('le', ctx.get('lt'))}"
    if kind == "string_pattern_mismatch":
        return "格式不正确"
    if kind == "value_error":
        return str(ctx.get("error", err.get("msg", "格式不正确")))
    return _MESSAGES.get(kind, "格式不正确")


def fields_from(error: ValidationError) -> dict:
    """Pydantic errors as ``{field: Chinese message}``."""
    fields: dict[str, str] = {}
    for err in error.errors():
        loc = [str(part) for part in err["loc"]]
        name = loc[0] if loc else "body"
        fields.setdefault(name, _message(err))
    return fields


def parse_body(model: type[M]) -> M:
    """Read the JSON body into ``model``; malformed JSON or wrong shapes raise ValidationFailed."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raw = b"{}"
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as error:
        if any(e["type"] == "json_invalid" for e in error.errors()):
            raise ValidationFailed("请求体不是有效的 JSON", fields={"body": "无法解析"}) from None
        if any(e["type"] == "model_type" or not e["loc"] for e in error.errors()):
            raise ValidationFailed("请求体应为 JSON 对象", fields={"body": "应为对象"}) from None
        raise ValidationFailed(fields=fields_from(error)) from None


def query_int(name: str, default: int | None = None, *, minimum: int = 1,
              maximum: int = INT_MAX) -> int | None:
    """An integer query parameter (an id, a page: 1 .. ``INT_MAX`` unless narrowed), or
    ValidationFailed naming it."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed(fields={name: "应为整数"}) from None
    if value < minimum:
        raise ValidationFailed(fields={name: f"不能小于 {minimum}"})
    if value > min(maximum, INT_MAX):
        raise ValidationFailed(fields={name: f"不能大于 {min(maximum, INT_MAX)}"})
    return value


def query_date(name: str) -> date | None:
    """A date query parameter (``2026-11-26``, within the sane range), or ValidationFailed."""
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(fields={name: "应为日期，如 2026-11-26"}) from None
    if not date_in_range(value):
        raise ValidationFailed(fields={name: DATE_MESSAGE})
    return value


def page_args() -> tuple[int, int]:
    """``page`` and ``per_page`` from the query string, validated."""
    page = query_int("page", 1, minimum=1, maximum=PAGE_MAX)
    per_page = query_int("per_page", current_app.config["PER_PAGE"], minimum=1,
                         maximum=current_app.config["MAX_PER_PAGE"])
    return page, per_page


def paginated(stmt, serialise: Callable, **extra):
    """A paginated list body ``{items, page, per_page, total}`` for a select statement."""
    page, per_page = page_args()
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False,
                         max_per_page=current_app.config["MAX_PER_PAGE"])
    return jsonify({"items": [serialise(item) for item in result.items], "page": page,
                    "per_page": per_page, "total": result.total, **extra})


SEARCH_QUERY = {"q": {"type": "string", "maxLength": SEARCH_MAX},
                "date_from": {"type": "string", "format": "date"},
                "date_to": {"type": "string", "format": "date"}, "grid_id": "integer"}


def query_filters(**choices) -> dict:
    """A list's search and filters from the query string (``SEARCH_QUERY`` in its document):
    ``q`` at most ``SEARCH_MAX`` characters, ``date_from`` ≤ ``date_to``, ``grid_id``, and each
    of ``choices`` (name → allowed values); a bad one is a ValidationFailed naming it."""
    filters = {"q": request.args.get("q") or None, "date_from": query_date("date_from"),
               "date_to": query_date("date_to"), "grid_id": query_int("grid_id")}
    if filters["q"] and len(filters["q"]) > SEARCH_MAX:
        raise ValidationFailed(fields={"q": f"搜索词不超过 {SEARCH_MAX} 个字"})
    if filters["date_from"] and filters["date_to"] and filters["date_to"] < filters["date_from"]:
        raise ValidationFailed(fields={"date_to": "结束日期不能早于开始日期"})
    for name, allowed in choices.items():
        value = request.args.get(name) or None
        if value is not None and value not in allowed:
            raise ValidationFailed(fields={name: "取值无效"})
        filters[name] = value
    return filters
