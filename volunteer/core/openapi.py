"""The OpenAPI 3.1 document, generated from the registered /api/v1 routes so it cannot drift.

Each view's ``doc(...)`` facts (``core.api.doc``) give its summary, body model, response model,
query parameters and the error statuses it answers; the schemas come from the pydantic models.
"""

import re

from flask import Blueprint, current_app, jsonify
from pydantic.json_schema import models_json_schema

from volunteer.core.api import PAGE_MAX, doc
from volunteer.core.edge import INT_MAX

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")
REF = "#/components/schemas/{model}"

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["code", "message", "fields"],
        "properties": {
            "code": {"type": "string", "minLength": 1},
            "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}},
}
STATUS_TEXT = {400: "输入有误", 401: "未登录或令牌无效", 403: "无权操作", 404: "对象不存在",
               409: "状态冲突", 413: "内容过大", 429: "请求过于频繁",
               503: "数据库暂不可用，请稍后重试（Retry-After）"}
SUCCESS_TEXT = {200: "成功", 201: "已创建", 202: "已受理", 204: "成功，无内容"}
# Every operation may answer these: bad input, a bearer token that is not (or no longer) valid,
# and the database briefly unavailable.
ALWAYS = {400, 401, 503}
QUERY_TEXT_MAX = 200


ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": INT_MAX}


def query_schema(name: str, kind) -> dict:
    """A query parameter's schema: ``"integer"`` is an id or count bounded as ``query_int``
    bounds it (``page`` and ``per_page`` as ``page_args``); ``"string"`` is bounded in length;
    a dict is taken as it is (a string one bounded too)."""
    if isinstance(kind, dict):
        return {"maxLength": QUERY_TEXT_MAX, **kind} if kind.get("type") == "string" else kind
    if name == "page":
        return {**ID_SCHEMA, "maximum": PAGE_MAX, "default": 1}
    if name == "per_page":
        return {**ID_SCHEMA, "maximum": current_app.config["MAX_PER_PAGE"],
                "default": current_app.config["PER_PAGE"]}
    if kind == "string":
        # no search term or code is longer; the bound keeps a request line short of the
        # server's limit (gunicorn answers 414 past 4094 bytes, before the app sees it)
        return {"type": "string", "maxLength": QUERY_TEXT_MAX}
    if kind == "integer":
        return dict(ID_SCHEMA)
    return {"type": kind}


def _path_of(rule) -> tuple[str, list[dict]]:
    params = []
    path = rule.rule
    converters = getattr(rule, "_converters", {})
    for match in re.finditer(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
        name = match.group(2)
        converter = converters.get(name)
        schema: dict = {"type": "string"}
        if hasattr(converter, "openapi_schema"):  # a converter that states its own bounds
            schema = dict(converter.openapi_schema)
        elif converter is not None and getattr(converter, "num_convert", None) is int:
            schema = {"type": "integer", "minimum": max(getattr(converter, "min", None) or 0, 0)}
            if getattr(converter, "max", None) is not None:
                schema["maximum"] = converter.max
        if name in (rule.defaults or {}):
            continue
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        path = path.replace(match.group(0), "{" + name + "}")
    return path, params


def _success(info: dict, models: list) -> dict:
    status = info["status"]
    answer: dict = {"description": SUCCESS_TEXT.get(status, "成功")}
    if status == 204:
        return answer
    response = info.get("response")
    if info.get("content_type", "application/json") != "application/json":
        answer["content"] = {info["content_type"]: {
            "schema": {"type": "string", "contentMediaType": info["content_type"]}}}
    elif isinstance(response, dict):
        answer["content"] = {"application/json": {"schema": response}}
    elif response is not None:
        models.append((response, "serialization"))
        answer["content"] = {"application/json": {"schema": (response, "serialization")}}
    return answer


def build_document() -> dict:
    """Every /api/v1 rule with its methods, documented from the view's ``api_doc``."""
    paths: dict[str, dict] = {}
    models: list = []
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        view = current_app.view_functions[rule.endpoint]
        info = getattr(view, "api_doc", None) or {"summary": rule.endpoint, "auth": True,
                                                  "status": 200, "query": {}, "errors": ()}
        path, params = _path_of(rule)
        for param in params:
            param["schema"] = info.get("path", {}).get(param["name"], param["schema"])
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation: dict = {
                "operationId": f"{rule.endpoint}_{method.lower()}",
                "summary": info["summary"],
                "parameters": params + [
                    {"name": name, "in": "query", "required": False,
                     "schema": query_schema(name, kind)}
                    for name, kind in info["query"].items()],
                "responses": {str(info["status"]): _success(info, models)},
            }
            body, multipart = info.get("body"), info.get("multipart")
            statuses = ALWAYS | set(info["errors"])
            if body is not None or multipart:
                statuses.add(413)
            for status in sorted(statuses):
                operation["responses"][str(status)] = {
                    "description": STATUS_TEXT.get(status, "错误"),
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Error"}}}}
            # a request line past gunicorn's limit (4094 bytes) is refused before the app
            operation["responses"]["414"] = {
                "description": "请求行过长（由 gunicorn 在应用之前拒绝）",
                "content": {"text/html": {"schema": {"type": "string"}}}}
            operation["responses"] = dict(sorted(operation["responses"].items()))
            if info["auth"]:
                operation["security"] = [{"bearer": []}]
            if body is not None:
                models.append((body, "validation"))
                operation["requestBody"] = {"required": True, "content": {
                    "application/json": {"schema": (body, "validation")}}}
            elif multipart:
                operation["requestBody"] = {"required": True, "content": {
                    "multipart/form-data": {"schema": multipart}}}
            paths.setdefault(path, {})[method.lower()] = operation
    refs, defs = models_json_schema(list(dict.fromkeys(models)), ref_template=REF)
    for operation in (op for item in paths.values() for op in item.values()):
        for media in _media_of(operation):
            schema = media["schema"]
            if isinstance(schema, tuple):
                media["schema"] = refs[schema]
    return {
        "openapi": "3.1.0",
        "info": {"title": "通通在 Tongtong API", "version": "1",
                 "description": "在职党员双报到志愿服务平台的客户端接口。"
                                "时间为带时区的 ISO 8601。错误时返回 "
                                "{\"error\": {\"code\", \"message\", \"fields\"}}。"},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": {"Error": ERROR_SCHEMA, **defs.get("$defs", {})},
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


def _media_of(operation: dict):
    for answer in operation["responses"].values():
        yield from answer.get("content", {}).values()
    yield from operation.get("requestBody", {}).get("content", {}).values()


@bp.get("/openapi.json")
@doc("本文档（OpenAPI 3.1）", auth=False,
     response={"type": "object", "required": ["openapi", "paths"]})
def openapi_document():
    return jsonify(build_document())
