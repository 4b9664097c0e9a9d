"""Registration (报到), approval (亮身份), rejection, scoping and phone masking."""

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from volunteer.audit.models import AuditLog
from volunteer.auth.models import User
from volunteer.extensions import db
from volunteer.notifications.models import Notification


@pytest.fixture
def place(make_community, make_grid, make_unit):
    community = make_community("公园社区")
    return {"community": community, "grid": make_grid(community, "公园一村网格"),
            "unit": make_unit("南通市第二中学")}


def register_body(place, **overrides):
    body = {"name": "顾丽", "phone": "13812345678", "password": "Gu-li-2022",
            "unit_id": place["unit"].id, "community_id": place["community"].id,
            "grid_id": place["grid"].id, "skills": ["education", "摄影", "书法"],
            "industry": "education", "privacy_consent": True}
    body.update(overrides)
    return body


def members() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.role == "member"))


def test_register_creates_a_pending_member(client, place):
    response = client.post("/api/v1/members/register", json=register_body(place))
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "pending" and body["role"] == "member"
    assert body["phone"] == "13812345678"  # the member sees their own number
    assert body["skills"] == ["education", "photography", "书法"]
    assert body["community_id"] == place["community"].id


def test_pending_member_can_log_in_but_is_pending(client, place):
    client.post("/api/v1/members/register", json=register_body(place))
    token = client.post("/api/v1/auth/token", json={"phone": "13812345678",
                                                    "password": "Gu-li-2022"})
    assert token.status_code == 200 and token.get_json()["user"]["status"] == "pending"


def test_duplicate_phone_is_409(client, place):
    assert client.post("/api/v1/members/register", json=register_body(place)).status_code == 201
    again = client.post("/api/v1/members/register", json=register_body(place, name="别人"))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "phone_taken"
    assert members() == 1


@pytest.mark.parametrize("overrides, field", [
    ({"name": "名" * 500}, "name"),
    ({"name": ""}, "name"),
    ({"phone": "12345"}, "phone"),
    ({"phone": 13812345678}, "phone"),
    ({"password": "short"}, "password"),
    ({"password": "12345678"}, "password"),
    ({"unit_id": 99999}, "unit_id"),
    ({"unit_id": "1"}, "unit_id"),
    ({"community_id": 99999}, "community_id"),
    ({"skills": "medical"}, "skills"),
    ({"skills": ["x" * 21]}, "skills"),
    ({"industry": "astronaut"}, "industry"),
    ({"email": "not-an-email"}, "email"),
])
def test_register_bad_input(client, place, overrides, field):
    response = client.post("/api/v1/members/register", json=register_body(place, **overrides))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert field in error["fields"], error
    assert members() == 0


def test_register_missing_fields_and_malformed(client, place, make_grid):
    missing = client.post("/api/v1/members/register", json={})
    assert missing.status_code == 400
    assert {"name", "phone", "password", "unit_id", "community_id"} <= set(
        missing.get_json()["error"]["fields"])
    assert client.post("/api/v1/members/register", data="{oops",
                       content_type="application/json").status_code == 400
    other_grid = make_grid()
    wrong = client.post("/api/v1/members/register",
                        json=register_body(place, grid_id=other_grid.id))
    assert wrong.status_code == 400 and "grid_id" in wrong.get_json()["error"]["fields"]
    assert members() == 0


def test_secretary_approves_and_member_is_told(client, place, make_member, make_staff,
                                               token_for):
    member = make_member(place["community"], status="pending")
    secretary = make_staff("community_secretary", place["community"])
    response = client.post(f"/api/v1/members/{member.id}/approve", headers=token_for(secretary))
    assert response.status_code == 200 and response.get_json()["status"] == "approved"
    inbox = client.get("/api/v1/me/notifications", headers=token_for(member)).get_json()
    assert inbox["total"] == 1 and inbox["unread"] == 1
    assert inbox["items"][0]["kind"] == "member_approved"
    assert db.session.scalar(select(AuditLog.action).where(
        AuditLog.object_id == member.id)) == "approve_member"
    again = client.post(f"/api/v1/members/{member.id}/approve", headers=token_for(secretary))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_state"


def test_secretary_rejects_with_reason(client, place, make_member, make_staff, token_for):
    member = make_member(place["community"], status="pending")
    secretary = make_staff("community_secretary", place["community"])
    h = token_for(secretary)
    no_reason = client.post(f"/api/v1/members/{member.id}/reject", headers=h, json={})
    assert no_reason.status_code == 400 and "reason" in no_reason.get_json()["error"]["fields"]
    long = client.post(f"/api/v1/members/{member.id}/reject", headers=h,
                       json={"reason": "长" * 500})
    assert long.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, member.id).status == "pending"
    ok = client.post(f"/api/v1/members/{member.id}/reject", headers=h,
                     json={"reason": "居住地址不在本社区"})
    assert ok.status_code == 200 and ok.get_json()["status"] == "rejected"
    me = client.get("/api/v1/me", headers=token_for(member)).get_json()
    assert me["reject_reason"] == "居住地址不在本社区"
    inbox = client.get("/api/v1/me/notifications", headers=token_for(member)).get_json()
    assert "居住地址不在本社区" in inbox["items"][0]["body"]
    # a rejected member can later be approved (e.g. after correcting the address)
    assert client.post(f"/api/v1/members/{member.id}/approve", headers=h).status_code == 200


def test_other_community_secretary_is_denied(client, place, make_member, make_staff,
                                             make_community, token_for):
    member = make_member(place["community"], status="pending")
    stranger = make_staff("community_secretary", make_community())
    h = token_for(stranger)
    assert client.post(f"/api/v1/members/{member.id}/approve", headers=h).status_code == 403
    assert client.post(f"/api/v1/members/{member.id}/reject", headers=h,
                       json={"reason": "x"}).status_code == 403
    assert client.get(f"/api/v1/members/{member.id}", headers=h).status_code == 403
    listing = client.get("/api/v1/members", headers=h).get_json()
    assert listing["total"] == 0
    db.session.expire_all()
    assert db.session.get(User, member.id).status == "pending"


@pytest.mark.parametrize("role", ["district_admin", "street_reviewer", "grid_worker",
                                  "branch_secretary", "unit_contact", "member"])
def test_only_the_secretary_approves(client, place, make_member, make_staff, token_for, role,
                                     make_branch):
    member = make_member(place["community"], status="pending", unit=place["unit"])
    scopes = {"street_reviewer": place["community"].street, "grid_worker": place["grid"],
              "branch_secretary": make_branch(place["community"]), "unit_contact": place["unit"]}
    actor = make_member(place["community"]) if role == "member" else make_staff(
        role, scopes.get(role))
    response = client.post(f"/api/v1/members/{member.id}/approve", headers=token_for(actor))
    assert response.status_code == 403


def test_unknown_member_is_404(client, place, make_staff, token_for):
    secretary = make_staff("community_secretary", place["community"])
    assert client.post("/api/v1/members/99999/approve",
                       headers=token_for(secretary)).status_code == 404
    assert client.get("/api/v1/members/99999", headers=token_for(secretary)).status_code == 404


def test_phone_masking_by_viewer(client, place, make_member, make_staff, make_community,
                                 token_for):
    member = make_member(place["community"], unit=place["unit"], phone="13812345678")
    allowed = [make_staff("community_secretary", place["community"]),
               make_staff("grid_worker", place["grid"]), make_staff("district_admin"), member]
    masked = [make_staff("street_reviewer", place["community"].street),
              make_staff("unit_contact", place["unit"])]
    for viewer in allowed:
        body = client.get(f"/api/v1/members/{member.id}", headers=token_for(viewer)).get_json()
        assert body["phone"] == "13812345678", viewer.role
    for viewer in masked:
        body = client.get(f"/api/v1/members/{member.id}", headers=token_for(viewer)).get_json()
        assert body["phone"] == "138****5678", viewer.role
    # another member and another community's secretary cannot even open the record
    for viewer in (make_member(place["community"]),
                   make_staff("community_secretary", make_community())):
        assert client.get(f"/api/v1/members/{member.id}",
                          headers=token_for(viewer)).status_code == 403


def test_listing_is_scoped_and_filtered(client, place, make_member, make_staff, token_for):
    for status in ("pending", "pending", "approved"):
        make_member(place["community"], status=status)
    make_member(status="pending")  # another community
    secretary = make_staff("community_secretary", place["community"])
    h = token_for(secretary)
    assert client.get("/api/v1/members", headers=h).get_json()["total"] == 3
    pending = client.get("/api/v1/members?status=pending", headers=h).get_json()
    assert pending["total"] == 2
    admin_view = client.get("/api/v1/members", headers=token_for(make_staff("district_admin")))
    assert admin_view.get_json()["total"] == 4
    member_view = client.get("/api/v1/members", headers=token_for(make_member(place["community"])))
    assert member_view.status_code == 403


def test_member_updates_profile(client, place, make_member, token_for, make_grid):
    member = make_member(place["community"])
    h = token_for(member)
    ok = client.put("/api/v1/me/profile", headers=h, json={
        "skills": ["medical", "手语"], "industry": "health", "grid_id": place["grid"].id,
        "email": "a@example.com"})
    assert ok.status_code == 200
    assert ok.get_json()["skills"] == ["medical", "sign_language"]
    foreign = client.put("/api/v1/me/profile", headers=h, json={"grid_id": make_grid().id})
    assert foreign.status_code == 400


def test_notifications_mark_read(client, place, make_member, make_staff, token_for):
    member = make_member(place["community"], status="pending")
    secretary = make_staff("community_secretary", place["community"])
    client.post(f"/api/v1/members/{member.id}/approve", headers=token_for(secretary))
    h = token_for(member)
    item = client.get("/api/v1/me/notifications", headers=h).get_json()["items"][0]
    other = make_member()
    assert client.post(f"/api/v1/me/notifications/{item['id']}/read",
                       headers=token_for(other)).status_code == 403
    read = client.post(f"/api/v1/me/notifications/{item['id']}/read", headers=h)
    assert read.status_code == 200 and read.get_json()["read_at"]
    assert client.get("/api/v1/me/notifications?unread=1", headers=h).get_json()["total"] == 0
    assert client.post("/api/v1/me/notifications/999/read", headers=h).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
    assert client.post("/api/v1/me/notifications/read-all", headers=h).status_code == 200


def test_login_password_from_fixture_works(client, make_member):
    member = make_member()
    assert client.post("/api/v1/auth/token", json={"phone": member.phone,
                                                   "password": PASSWORD}).status_code == 200
