"""Consent to the privacy notice (registration, requests) and the separate sensitive consent."""

import pytest
from sqlalchemy import func, select

from tests.members.test_member_pages import form_body
from tests.members.test_members_api import register_body
from volunteer.auth.models import User
from volunteer.consents.models import NOTICE_VERSION, Consent
from volunteer.extensions import db
from volunteer.requests.models import ServiceRequest

from .conftest import RESIDENT


@pytest.fixture
def place(make_community, make_grid, make_unit):
    community = make_community("公园社区")
    return {"community": community, "grid": make_grid(community, "公园一村网格"),
            "unit": make_unit("南通市第二中学")}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("consent", [{}, {"privacy_consent": False},
                                     {"privacy_consent": "true"}, {"privacy_consent": None}])
def test_register_api_without_consent_is_400(client, place, consent):
    body = {k: v for k, v in register_body(place).items() if k != "privacy_consent"}
    response = client.post("/api/v1/members/register", json={**body, **consent})
    assert response.status_code == 400
    assert "privacy_consent" in response.get_json()["error"]["fields"]
    assert count(User) == 0 and count(Consent) == 0


def test_register_api_records_the_consent_and_its_version(client, place):
    response = client.post("/api/v1/members/register", json=register_body(place))
    assert response.status_code == 201
    consent = db.session.scalar(select(Consent))
    assert consent.user_id == response.get_json()["id"] and consent.kind == "privacy"
    assert consent.notice_version == NOTICE_VERSION and consent.given_at is not None


def test_register_page_refuses_without_consent(client, place):
    body = form_body(place["community"], place["unit"])
    del body["privacy_consent"]
    response = client.post("/register", data=body)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "请阅读并同意《个人信息保护说明》" in html
    assert count(User) == 0
    page = client.get("/register").get_data(as_text=True)
    assert 'name="privacy_consent"' in page and 'href="/privacy"' in page
    assert client.post("/register", data=form_body(place["community"], place["unit"])
                       ).status_code == 302
    assert count(Consent) == 1


def test_request_api_requires_consent(client, area):
    body = {**RESIDENT, "community_id": area.community.id}
    del body["privacy_consent"]
    for extra in ({}, {"privacy_consent": False}):
        response = client.post("/api/v1/requests", json={**body, **extra})
        assert response.status_code == 400
        assert "privacy_consent" in response.get_json()["error"]["fields"]
    assert count(ServiceRequest) == 0 and count(Consent) == 0


def test_health_sensitive_request_needs_the_separate_consent(client, area):
    body = {**RESIDENT, "community_id": area.community.id, "health_sensitive": True}
    refused = client.post("/api/v1/requests", json=body)
    assert refused.status_code == 400
    assert set(refused.get_json()["error"]["fields"]) == {"sensitive_consent"}
    refused = client.post("/api/v1/requests", json={**body, "sensitive_consent": False})
    assert refused.status_code == 400 and count(ServiceRequest) == 0
    accepted = client.post("/api/v1/requests", json={**body, "sensitive_consent": True})
    assert accepted.status_code == 201
    req = db.session.get(ServiceRequest, accepted.get_json()["id"])
    assert req.health_sensitive is True
    kinds = sorted(c.kind for c in db.session.scalars(select(Consent).where(
        Consent.request_id == req.id)))
    assert kinds == ["privacy", "sensitive"]


def test_plain_request_needs_no_sensitive_consent(client, area):
    response = client.post("/api/v1/requests",
                           json={**RESIDENT, "community_id": area.community.id})
    assert response.status_code == 201
    req = db.session.get(ServiceRequest, response.get_json()["id"])
    assert req.health_sensitive is False
    assert [c.kind for c in db.session.scalars(select(Consent))] == ["privacy"]


def test_request_page_consents(client, area):
    page = client.get("/requests/new").get_data(as_text=True)
    assert 'name="privacy_consent"' in page and 'name="sensitive_consent"' in page
    assert 'href="/privacy"' in page
    form = {**RESIDENT, "community_id": str(area.community.id)}
    del form["privacy_consent"]
    refused = client.post("/requests/new", data=form)
    assert refused.status_code == 200
    assert "请阅读并同意《个人信息保护说明》" in refused.get_data(as_text=True)
    refused = client.post("/requests/new", data={**form, "privacy_consent": "y",
                                                 "health_sensitive": "y"})
    assert refused.status_code == 200
    assert "涉及健康等敏感个人信息，请单独勾选同意" in refused.get_data(as_text=True)
    assert count(ServiceRequest) == 0
    done = client.post("/requests/new", data={**form, "privacy_consent": "y",
                                              "health_sensitive": "y",
                                              "sensitive_consent": "y"})
    assert done.status_code == 302
    assert db.session.scalar(select(ServiceRequest)).health_sensitive is True


def test_the_notice_page_is_public_and_linked_from_the_footer(client):
    page = client.get("/privacy")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "个人信息保护说明" in html
    for text in ("收集什么", "谁能看到", "保存多久", "查阅、复制和删除", NOTICE_VERSION,
                 "6 个月", "12 个月", "24 个月"):
        assert text in html, text
    assert 'data-testid="footer-privacy"' in client.get("/requests/new").get_data(as_text=True)


def test_the_api_document_states_the_consents_and_the_privacy_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert "privacy_consent" in schemas["RegisterIn"]["required"]
    assert "privacy_consent" in schemas["RequestIn"]["required"]
    assert {"health_sensitive", "sensitive_consent"} <= set(schemas["RequestIn"]["properties"])
    paths = document["paths"]
    assert "get" in paths["/api/v1/me/data"]
    assert "202" in paths["/api/v1/me/deletion-request"]["post"]["responses"]
    assert "get" in paths["/api/v1/deletion-requests"]
    assert "post" in paths["/api/v1/deletion-requests/{deletion_id}/complete"]


def test_staff_see_the_health_flag(client, login, area, make_request):
    req = make_request(health_sensitive=True, sensitive_consent=True)
    login(area.worker)
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert 'data-testid="health-sensitive"' in page
    plain = make_request()
    assert 'data-testid="health-sensitive"' not in client.get(
        f"/requests/{plain.id}").get_data(as_text=True)


def test_the_notice_and_consents_read_in_english(client, area):
    client.post("/locale/en", data={"next": "/privacy"})
    html = client.get("/privacy").get_data(as_text=True)
    assert "Privacy notice" in html and "How long it is kept" in html and "6 months" in html
    form = client.get("/requests/new").get_data(as_text=True)
    assert "I have read and agree to the privacy notice" in form
    assert "Sensitive personal information" in form
