"""The OpenAPI document describes answers: every operation has a response schema, and what the
serialisers really return validates against it (on the demo district, as several roles)."""

import re

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select

from volunteer.auth.models import User
from volunteer.core.openapi import build_document
from volunteer.extensions import db
from volunteer.tasks.models import CATEGORIES

ID_TABLES = {
    "task_id": "volunteer.tasks.models:Task", "claim_id": "volunteer.tasks.models:Claim",
    "wish_id": "volunteer.wishes.models:Wish",
    "request_id": "volunteer.requests.models:ServiceRequest",
    "mobilisation_id": "volunteer.mobilisation.models:Mobilisation",
    "member_id": "volunteer.auth.models:User",
    "delivery_id": "volunteer.reports.models:ReportDelivery",
    "notification_id": "volunteer.notifications.models:Notification",
}


@pytest.fixture
def document(app):
    with app.app_context():
        return build_document()


def validator_for(document: dict, schema: dict) -> Draft202012Validator:
    root = {**schema, "components": document["components"]}
    return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_every_operation_has_a_response_schema_for_its_success_status(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            label = f"{method.upper()} {path}"
            success = [status for status in operation["responses"] if status.startswith("2")]
            assert len(success) == 1, label
            answer = operation["responses"][success[0]]
            if success[0] == "204":
                assert "content" not in answer, label
                continue
            assert answer.get("content"), f"{label}: no content for {success[0]}"
            for media, content in answer["content"].items():
                schema = content.get("schema")
                assert schema, f"{label}: no schema for {media}"
                Draft202012Validator.check_schema(schema)
            for status, answer in operation["responses"].items():
                if status.startswith(("4", "5")) and status != "414":
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/Error", label


def test_response_models_forbid_undeclared_fields_and_lists_have_the_envelope(document):
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, answer in operation["responses"].items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
                ref = schema.get("$ref", "")
                if not status.startswith("2") or not ref:
                    continue
                model = schemas[ref.rsplit("/", 1)[1]]
                assert model.get("additionalProperties") is False, f"{method} {path}"
                if "page" in {p["name"] for p in operation["parameters"]}:
                    assert {"items", "page", "per_page", "total"} <= set(model["required"]), path


def test_enums_minimum_lengths_and_page_bounds_are_stated(document):
    tasks = document["paths"]["/api/v1/tasks"]["get"]
    params = {p["name"]: p["schema"] for p in tasks["parameters"]}
    assert params["page"]["minimum"] == 1
    assert params["per_page"]["minimum"] == 1 and params["per_page"]["maximum"] >= 1
    assert set(params["category"]["enum"]) == set(CATEGORIES)
    user = document["components"]["schemas"]["UserOut"]
    assert "member" in user["properties"]["role"]["enum"]
    error = document["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["properties"]["code"]["minLength"] == 1
    photo = document["paths"]["/api/v1/wishes/{wish_id}/photos/{kind}"]["get"]
    assert "image/jpeg" in photo["responses"]["200"]["content"]
    upload = document["paths"]["/api/v1/wishes/{wish_id}/photos"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "413" in upload["responses"]


def _ids(name: str, limit: int = 6) -> list[int]:
    module, model = ID_TABLES[name].split(":")
    table = getattr(__import__(module, fromlist=[model]), model)
    return list(db.session.scalars(select(table.id).order_by(table.id.desc()).limit(limit)))


# a member, a community secretary, a grid worker, a street reviewer, the district admin, a unit
DEMO_PHONES = ("13800000001", "13900000001", "13900000011", "13900000021", "13900000000",
               "13900000041")


def test_what_the_serialisers_return_validates_against_the_document(
        app, ctx, client, document, token_for):
    from volunteer.seed.demo import load_demo

    load_demo()
    db.session.commit()
    checked = 0
    for phone in DEMO_PHONES:
        headers = token_for(db.session.scalar(select(User).where(User.phone == phone)))
        checked += _walk_gets(client, document, headers)
    assert checked >= 60


def _walk_gets(client, document, headers) -> int:
    """GET every listing and detail (ids from the database); validate each answer."""
    checked = 0
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation is None or path.endswith("/openapi.json"):
            continue
        names = re.findall(r"{(\w+)}", path)
        if any(name not in ID_TABLES for name in names):
            continue
        urls = [path]
        if names:
            urls = [path.replace("{" + names[0] + "}", str(i)) for i in _ids(names[0])]
        for url in urls:
            response = client.get(url, headers=headers)
            status = str(response.status_code)
            assert status in operation["responses"], f"{url}: undocumented {status}"
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            errors = list(validator_for(document, schema).iter_errors(response.get_json()))
            assert not errors, f"GET {url} ({status}): {errors[0].message} at {errors[0].json_path}"
            checked += response.status_code == 200
    return checked
