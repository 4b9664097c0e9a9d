"""Input at the edge: every id, integer, date and text read from outside is bounded or refused
before it reaches the database (PostgreSQL's integer ends at 2**31 - 1, SQLite's at 2**63 - 1,
and PostgreSQL refuses NUL in text) — 400 with ``fields``, or 404 for an id in a path, never
500. The sweeps walk the URL map and the OpenAPI document, so a new route is covered at once.
Run them on PostgreSQL too (TEST_DATABASE_URL): the 2**31 overflow only shows there.
"""

import re

import pytest
from werkzeug.routing import IntegerConverter

from tests.core.conftest import ROLES
from volunteer.core.edge import INT_MAX
from volunteer.core.openapi import build_document

HUGE = (2**31, 2**63)
NUL = "a\x00b"
API_ROLES = ("district_admin", "community_secretary", "grid_worker", "member", "anonymous")
# ends the caller's own credentials: swept last would be pointless, first would spoil the rest
SKIP = {("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/auth/logout-all"),
        ("POST", "/api/v1/auth/password"), ("DELETE", "/api/v1/auth/token")}


@pytest.fixture
def headers(world, token_for):
    """A bearer header per role (none for the anonymous caller)."""
    return {role: token_for(user) if user is not None else {}
            for role, user in world.users.items() if role in API_ROLES}


def _api_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if (method, rule.rule) not in SKIP:
                    yield rule, method


def _int_args(rule) -> list[str]:
    return [name for name, converter in rule._converters.items()
            if isinstance(converter, IntegerConverter)]


def _call(client, method, path, headers, **kwargs):
    response = client.open(path, method=method, headers=headers, **kwargs)
    assert response.status_code != 500, (method, path, kwargs, response.get_data(as_text=True))
    return response


def _operations(app):
    """(method, path template, operation) of every documented operation, with its rule."""
    with app.app_context():
        document = build_document()
    rules = {}
    for rule, method in _api_rules(app):
        template = rule.rule
        for arg in rule.arguments:
            template = re.sub(rf"<(?:[^:>]+:)?{arg}>", "{" + arg + "}", template)
        rules[(method, template)] = rule
    for path, item in document["paths"].items():
        for method, operation in item.items():
            rule = rules.get((method.upper(), path))
            if rule is not None:
                yield method.upper(), rule, operation, document


def test_path_ids_beyond_the_column_are_404(app, client, world, headers):
    """Every <int:…> of every /api/v1 rule at 2**31 and 2**63, as every role: never 500."""
    swept = 0
    for rule, method in _api_rules(app):
        ints = _int_args(rule)
        if not ints:
            continue
        for value in HUGE:
            path = world.path(rule, {name: value for name in ints})
            for role in API_ROLES:
                response = _call(client, method, path, headers[role], json={})
                assert response.status_code in (401, 403, 404, 405), (method, path, role)
                swept += 1
    assert swept > 100


def test_page_path_ids_beyond_the_column_are_404(app, client, world, login):
    """The pages too: every <int:…> of every page rule at 2**31 and 2**63 is a 404 page."""
    for role in ("district_admin", "community_secretary", "member"):
        login(world.users[role])
        for rule in app.url_map.iter_rules():
            if rule.rule.startswith("/api/") or "GET" not in rule.methods:
                continue
            ints = _int_args(rule)
            for value in HUGE if ints else ():
                path = world.path(rule, {name: value for name in ints})
                assert _call(client, "GET", path, {}).status_code == 404, path


def _integer_query_params(operation):
    return [p["name"] for p in operation.get("parameters", [])
            if p["in"] == "query" and p["schema"].get("type") == "integer"]


def test_integer_query_params_out_of_range_answer_400(app, client, world, headers):
    """Every documented integer query parameter at 2**31, 2**63 and -1: 400 naming it (for the
    roles the operation is open to; the others are refused first), never 500."""
    unanswered = []
    for method, rule, operation, _doc in _operations(app):
        path = world.path(rule)
        for name in _integer_query_params(operation):
            for value in (*HUGE, -1):
                refused = False
                for role in API_ROLES:
                    response = _call(client, method, path, headers[role],
                                     query_string={name: value})
                    if response.status_code == 400:
                        assert name in response.get_json()["error"]["fields"], (path, name)
                        refused = True
                    else:
                        assert response.status_code in (401, 403, 404), (path, name, role, value)
                if not refused:
                    unanswered.append((method, rule.rule, name, value))
    assert not unanswered


def test_openapi_states_the_bounds(app):
    with app.app_context():
        document = build_document()
    for path, item in document["paths"].items():
        for operation in item.values():
            for param in operation.get("parameters", []):
                if param["schema"].get("type") == "integer":
                    assert param["schema"]["minimum"] == 1, (path, param)
                    assert param["schema"]["maximum"] <= INT_MAX, (path, param)
    schemas = document["components"]["schemas"]
    register = schemas["RegisterIn"]["properties"]
    assert register["unit_id"]["maximum"] == INT_MAX and register["unit_id"]["minimum"] == 1


def _resolve(schema, document):
    ref = schema.get("$ref")
    if ref:
        return document["$defs"][ref.rsplit("/", 1)[1]]
    return schema


def _variants(schema, document):
    """What the field's schema says it is: 'int', 'date', 'datetime', 'str', or None."""
    schema = _resolve(schema, document)
    for option in schema.get("anyOf", []):
        kind = _variants(option, document)
        if kind:
            return kind
    kind = schema.get("type")
    if kind == "integer":
        return "int"
    if kind == "string":
        return {"date": "date", "date-time": "datetime"}.get(schema.get("format"), "str")
    return None


def _bad_value(schema, document, bad: dict):
    """``schema`` as a JSON value holding the bad value of its kind (``bad``), or None."""
    schema = _resolve(schema, document)
    for option in schema.get("anyOf", []):
        value = _bad_value(option, document, bad)
        if value is not None:
            return value
    kind = _variants(schema, document)
    if kind in bad:
        return bad[kind]
    if schema.get("type") == "array":
        item = _bad_value(schema.get("items", {}), document, bad)
        return None if item is None else [item]
    if schema.get("type") == "object" and "properties" in schema:
        inner = {name: _bad_value(sub, document, bad) for name, sub in
                 schema["properties"].items()}
        inner = {name: value for name, value in inner.items() if value is not None}
        return inner or None
    return None


BAD_BODIES = (
    {"int": 2**31},
    {"int": 2**63},
    {"date": "9999-12-31", "datetime": "9999-12-31T23:00:00+08:00"},
    {"str": NUL},
)


def test_body_fields_out_of_range_or_with_nul_answer_400(app, client, world, headers):
    """Every field of every body model: an integer at 2**31 and 2**63, a date in year 9999, a
    string with NUL — 400 naming the field for the roles allowed in, never 500."""
    unanswered, swept = [], 0
    for rule, method in _api_rules(app):
        model = (getattr(app.view_functions[rule.endpoint], "api_doc", None) or {}).get("body")
        if model is None:
            continue
        # the model's own schema (two models of one name would share one in the document)
        schema = document = model.model_json_schema()
        path = world.path(rule)
        for name, field_schema in schema.get("properties", {}).items():
            for bad in BAD_BODIES:
                value = _bad_value(field_schema, document, bad)
                if value is None:
                    continue
                swept += 1
                refused = False
                for role in API_ROLES:
                    response = _call(client, method, path, headers[role], json={name: value})
                    if response.status_code == 400:
                        fields = response.get_json()["error"]["fields"]
                        assert name in fields or "body" not in fields, (path, name, fields)
                        refused = refused or name in fields
                    else:
                        assert response.status_code in (401, 403, 404, 409, 429), \
                            (path, name, role, response.status_code)
                if not refused:
                    unanswered.append((method, rule.rule, name, bad))
    assert swept > 80
    assert not unanswered


def test_nul_in_string_query_params_answers_400(app, client, world, headers):
    """Every documented string query parameter with NUL, anonymously first: 400 naming it."""
    for method, rule, operation, _doc in _operations(app):
        path = world.path(rule)
        for param in operation.get("parameters", []):
            if param["in"] != "query" or param["schema"].get("type") == "integer":
                continue
            for role in ("anonymous", "district_admin", "member"):
                response = _call(client, method, path, headers[role],
                                 query_string={param["name"]: NUL})
                assert response.status_code == 400, (path, param["name"], role)
                assert param["name"] in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("url", [
    "/api/v1/units?q=%00", "/api/v1/wishes/wall?community_id=2147483648",
    "/api/v1/requests/track?code=%00&phone=1", "/api/v1/streets?q=a%01b",
])
def test_reported_queries_answer_400(client, world, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"]


def test_reported_bodies_answer_400(client, world, headers):
    register = {"name": "李四", "phone": "13900001111", "password": "Passw0rd!x",
                "unit_id": 2147483648, "community_id": world.community.id}
    response = client.post("/api/v1/members/register", json=register)
    assert response.status_code == 400
    assert "unit_id" in response.get_json()["error"]["fields"]
    response = client.post("/api/v1/auth/token", json={"phone": "1\x00", "password": "x"})
    assert response.status_code == 400 and "phone" in response.get_json()["error"]["fields"]
    series = {"title": "值守", "category": "checkpoint_duty", "location": "北门", "slots": 2,
              "first_date": "9999-12-31", "days": 3,
              "shifts": [{"start": "08:00", "end": "12:00"}]}
    response = client.post("/api/v1/tasks/series", json=series,
                           headers=headers["community_secretary"])
    assert response.status_code == 400
    assert "first_date" in response.get_json()["error"]["fields"]


def test_text_may_hold_line_breaks_and_tabs(client, world, headers):
    response = client.post(f"/api/v1/tasks/{world.ids['task_id']}/cancel",
                           json={"reason": "下雨\n改期\t再议"},
                           headers=headers["community_secretary"])
    assert response.status_code == 200


def test_control_characters_in_a_page_form_are_a_chinese_page(client, world, login):
    login(world.users["community_secretary"])
    response = client.post("/tasks/new", data={"title": "a\x00b"})
    assert response.status_code == 400
    assert "控制字符" in response.get_data(as_text=True)
    response = client.get("/tasks/scan/a%00b")
    assert response.status_code == 400


def test_page_query_integers_and_dates_out_of_range_fall_back(app, client, world, login):
    """List pages read ids, pages and dates from the query string: huge or absurd values fall
    back to the default instead of reaching the database."""
    query = {"page": 2**63, "community_id": 2**63, "street_id": 2**31, "grid_id": 2**31,
             "date": "9999-12-31", "start": "9999-12-31", "end": "9999-12-31",
             "period": "9999Q4"}
    for role in ROLES:
        if world.users[role] is not None:
            login(world.users[role])
        for rule in app.url_map.iter_rules():
            if rule.rule.startswith(("/api/", "/static")) or "GET" not in rule.methods:
                continue
            if rule.endpoint in ("auth.logout",):
                continue
            response = _call(client, "GET", world.path(rule), {}, query_string=query)
            assert response.status_code < 500


def test_page_forms_name_dates_out_of_range(client, world, login):
    login(world.users["community_secretary"])
    series = {"title": "值守", "category": "checkpoint_duty", "location": "北门", "slots": "2",
              "visibility": "community", "first_date": "9999-12-31", "days": "3",
              "shifts": "08:00-12:00"}
    response = client.post("/tasks/series/new", data=series)
    assert response.status_code == 200
    assert "日期应在 2000 年到 2100 年之间" in response.get_data(as_text=True)
    task = {**series, "starts_at": "9999-12-20T09:00", "ends_at": "9999-12-20T11:00"}
    response = client.post("/tasks/new", data=task)
    assert response.status_code == 200
    assert "日期应在 2000 年到 2100 年之间" in response.get_data(as_text=True)


def test_form_bounds_and_edge_helpers():
    from datetime import date
    from decimal import Decimal

    from volunteer.core.edge import (
        DATE_MESSAGE,
        RANGE_MESSAGE,
        bounded_int,
        has_control_characters,
    )
    from volunteer.core.forms import out_of_bounds

    assert out_of_bounds(2**31) == RANGE_MESSAGE and out_of_bounds(INT_MAX) is None
    assert out_of_bounds(Decimal("NaN")) == RANGE_MESSAGE
    assert out_of_bounds(float("inf")) == RANGE_MESSAGE
    assert out_of_bounds([1, 2**63]) == RANGE_MESSAGE and out_of_bounds(True) is None
    assert out_of_bounds(date(9999, 12, 31)) == DATE_MESSAGE
    assert out_of_bounds(date(2026, 12, 1)) is None and out_of_bounds("x" * 9) is None
    assert bounded_int("12") == 12 and bounded_int(str(2**31)) is None
    assert bounded_int("-1") is None and bounded_int("abc") is None
    for bad in ("\x00", "\x1b[31m", "\x7f", "\ud800"):
        assert has_control_characters(f"a{bad}b"), repr(bad)
    assert not has_control_characters("两行\r\n\t文字")


def test_a_multipart_part_without_a_name_is_no_server_error(client, token_for, admin):
    """Found by the fuzzer: a multipart body whose part has no name reached the control
    character check as None and answered 500."""
    from volunteer.core.edge import has_control_characters

    assert has_control_characters(None) is False and has_control_characters("a\x00") is True
    body = (b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n")
    answer = client.post("/api/v1/wishes/1/photos", data=body, headers={
        **token_for(admin), "Content-Type": "multipart/form-data; boundary=b"})
    assert answer.status_code < 500
