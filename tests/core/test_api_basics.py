"""The client API's contract: error bodies, handlers, OpenAPI completeness."""

import re

from volunteer.core.openapi import build_document


def test_openapi_lists_every_registered_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    with app.app_context():
        for rule in app.url_map.iter_rules():
            if not rule.rule.startswith("/api/v1"):
                continue
            path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
            assert path in paths, f"{rule.rule} missing from the OpenAPI document"
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                operation = paths[path][method.lower()]
                assert operation["summary"] and operation["summary"] != rule.endpoint, rule.rule


def test_openapi_documents_bodies_and_fixed_paths(app):
    with app.app_context():
        document = build_document()
    for path in ("/api/v1/auth/token", "/api/v1/streets", "/api/v1/communities", "/api/v1/grids",
                 "/api/v1/units", "/api/v1/staff", "/api/v1/members/register",
                 "/api/v1/members/{member_id}/approve", "/api/v1/members/{member_id}/reject",
                 "/api/v1/me", "/api/v1/me/notifications"):
        assert path in document["paths"], path
    register = document["paths"]["/api/v1/members/register"]["post"]
    schema_ref = register["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert {"name", "phone", "password", "unit_id", "community_id"} <= set(schema["required"])


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_wrong_method_is_json_405(client):
    response = client.put("/api/v1/streets", json={})
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_oversized_body_is_json_413(app, client):
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post("/api/v1/members/register", data=big, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_unexpected_error_is_json_500_without_details(app, client, monkeypatch):
    from volunteer.orgs import services

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "list_streets_stmt", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/api/v1/streets")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    body = response.get_json()
    assert body["error"]["code"] == "server_error" and "secret" not in body["error"]["message"]


def test_web_404_is_a_chinese_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "找不到" in response.get_data(as_text=True)
