"""The OpenAPI 3 document, generated from the registered /api/v1 routes so it cannot drift."""

import re

from flask import Blueprint, current_app, jsonify

from volunteer.core.api import PAGE_MAX, doc
from volunteer.core.edge import INT_MAX

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}},
}
STATUS_TEXT = {400: "输入有误", 401: "未登录或令牌无效", 403: "无权操作", 404: "对象不存在",
               409: "状态冲突", 413: "内容过大", 429: "请求过于频繁"}


ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": INT_MAX}


def query_schema(name: str, kind) -> dict:
    """A query parameter's schema: ``"integer"`` is an id or count bounded as ``query_int``
    bounds it (``page`` and ``per_page`` as ``page_args``); a dict is taken as it is."""
    if isinstance(kind, dict):
        return kind
    if kind != "integer":
        return {"type": kind}
    maximum = {"page": PAGE_MAX, "per_page": current_app.config["MAX_PER_PAGE"]}.get(name)
    return {**ID_SCHEMA, "maximum": maximum or INT_MAX}


def _path_of(rule) -> tuple[str, list[dict]]:
    params = []
    path = rule.rule
    for match in re.finditer(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
        kind, name = match.group(1), match.group(2)
        params.append({"name": name, "in": "path", "required": True,
                       "schema": dict(ID_SCHEMA) if kind == "int" else {"type": "string"}})
        path = path.replace(match.group(0), "{" + name + "}")
    return path, params


def build_document() -> dict:
    """Every /api/v1 rule with its methods, documented from the view's ``api_doc``."""
    paths: dict[str, dict] = {}
    schemas: dict[str, dict] = {"Error": ERROR_SCHEMA}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        view = current_app.view_functions[rule.endpoint]
        info = getattr(view, "api_doc", None) or {"summary": rule.endpoint, "auth": True,
                                                  "status": 200, "query": {}, "errors": ()}
        path, params = _path_of(rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation: dict = {
                "operationId": f"{rule.endpoint}_{method.lower()}",
                "summary": info["summary"],
                "parameters": params + [
                    {"name": name, "in": "query", "required": False,
                     "schema": query_schema(name, kind)} for name, kind in info["query"].items()],
                "responses": {str(info["status"]): {"description": "成功"}},
            }
            for status in sorted({400, *info["errors"]} | ({401} if info["auth"] else set())):
                operation["responses"][str(status)] = {
                    "description": STATUS_TEXT.get(status, "错误"),
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Error"}}}}
            if info["auth"]:
                operation["security"] = [{"bearer": []}]
            body = info.get("body")
            if body is not None:
                schema = body.model_json_schema(ref_template="#/components/schemas/{model}")
                schemas.update(schema.pop("$defs", {}))
                schemas[body.__name__] = schema
                operation["requestBody"] = {"required": True, "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{body.__name__}"}}}}
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": "通通在 Tongtong API", "version": "1",
                 "description": "在职党员双报到志愿服务平台的客户端接口。"
                                "时间为带时区的 ISO 8601。"},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"}}},
    }


@bp.get("/openapi.json")
@doc("本文档（OpenAPI 3）", auth=False)
def openapi_document():
    return jsonify(build_document())
