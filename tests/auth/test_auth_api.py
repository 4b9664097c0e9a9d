"""Tokens, the current user, passwords, logout everywhere, throttling, staff accounts."""

from sqlalchemy import func, select

from tests.conftest import PASSWORD
from volunteer.audit.models import AuditLog
from volunteer.auth.models import ApiToken, User
from volunteer.extensions import db


def test_token_issues_and_me_answers(client, make_member):
    member = make_member()
    response = client.post("/api/v1/auth/token", json={"phone": member.phone,
                                                       "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["id"] == member.id and body["user"]["phone"] == member.phone
    assert body["expires_at"].endswith("+08:00")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["name"] == member.name
    stored = db.session.scalar(select(ApiToken))
    assert body["token"] not in stored.secret_hash  # only a hash is kept


def test_wrong_password_is_401_and_changes_nothing(client, make_member):
    member = make_member()
    response = client.post("/api/v1/auth/token", json={"phone": member.phone,
                                                       "password": "wrong-pass"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_credentials"
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_unknown_phone_is_401(client):
    response = client.post("/api/v1/auth/token", json={"phone": "13012345678",
                                                       "password": "whatever1"})
    assert response.status_code == 401


def test_repeated_failures_answer_429_per_phone(client, make_member):
    member = make_member()
    for _ in range(5):
        assert client.post("/api/v1/auth/token", json={"phone": member.phone,
                                                        "password": "bad-pass1"}).status_code == 401
    blocked = client.post("/api/v1/auth/token", json={"phone": member.phone,
                                                      "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.get_json()["error"]["code"] == "too_many_requests"
    # the web login shares the same (database-held) counter
    page = client.post("/login", data={"phone": member.phone, "password": PASSWORD})
    assert page.status_code == 429


def test_repeated_failures_answer_429_per_ip(app, client):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 3
    try:
        for i in range(3):
            client.post("/api/v1/auth/token", json={"phone": f"1301234567{i}",
                                                    "password": "bad-pass1"})
        assert client.post("/api/v1/auth/token", json={"phone": "13012345679",
                                                        "password": "x"}).status_code == 429
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_IP"] = 30


def test_token_bad_input(client):
    assert client.post("/api/v1/auth/token", data="{not json",
                       content_type="application/json").status_code == 400
    response = client.post("/api/v1/auth/token", json={"phone": 13800000000, "password": []})
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {"phone", "password"}
    assert client.post("/api/v1/auth/token", json=["a"]).status_code == 400


def test_bad_and_revoked_tokens_are_401(client, make_member, token_for):
    member = make_member()
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    headers = token_for(member)
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 200
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_expired_token_is_401(client, make_member, token_for):
    from datetime import timedelta

    from volunteer.core.time import utcnow

    member = make_member()
    headers = token_for(member)
    row = db.session.scalar(select(ApiToken))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_password_change_ends_tokens_and_sessions(app, client, make_member, token_for, login):
    member = make_member()
    headers = token_for(member)
    other_device = app.test_client()
    login(member, c=other_device)
    assert other_device.get("/inbox").status_code == 200
    response = client.post("/api/v1/auth/password", headers=headers,
                           json={"old_password": PASSWORD, "new_password": "N3w-password"})
    assert response.status_code == 200
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert other_device.get("/inbox").status_code == 302  # sent to the login page
    ok = client.post("/api/v1/auth/token", json={"phone": member.phone,
                                                 "password": "N3w-password"})
    assert ok.status_code == 200


def test_password_change_rules(client, make_member, token_for):
    member = make_member()
    headers = token_for(member)
    wrong = client.post("/api/v1/auth/password", headers=headers,
                        json={"old_password": "nope-nope", "new_password": "N3w-password"})
    assert wrong.status_code == 400 and "old_password" in wrong.get_json()["error"]["fields"]
    weak = client.post("/api/v1/auth/password", headers=headers,
                       json={"old_password": PASSWORD, "new_password": "12345678"})
    assert weak.status_code == 400 and "new_password" in weak.get_json()["error"]["fields"]


def test_logout_all_ends_every_session(app, client, make_member, token_for, login):
    member = make_member()
    headers = token_for(member)
    browser = app.test_client()
    login(member, c=browser)
    assert client.post("/api/v1/auth/logout-all", headers=headers).status_code == 200
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert browser.get("/inbox").status_code == 302


def test_logout_clears_the_session(client, make_member, login):
    member = make_member()
    login(member)
    assert client.get("/inbox").status_code == 200
    client.post("/logout")
    assert client.get("/inbox").status_code == 302


def test_rehash_on_login_when_parameters_change(app, client, make_member):
    member = make_member()
    old_hash = member.password_hash
    app.config["PASSWORD_TIME_COST"] = 2
    try:
        assert client.post("/api/v1/auth/token", json={"phone": member.phone,
                                                       "password": PASSWORD}).status_code == 200
    finally:
        app.config["PASSWORD_TIME_COST"] = 1
    db.session.expire_all()
    new_hash = db.session.get(User, member.id).password_hash
    assert new_hash != old_hash and "t=2" in new_hash and new_hash.startswith("$argon2id$")


def test_admin_creates_staff_with_scope(client, admin, token_for, make_grid):
    grid = make_grid()
    response = client.post("/api/v1/staff", headers=token_for(admin), json={
        "name": "网格员小王", "phone": "13911112222", "password": "Grid-worker1",
        "role": "grid_worker", "grid_id": grid.id})
    assert response.status_code == 201
    body = response.get_json()
    assert body["role"] == "grid_worker" and body["grid_id"] == grid.id
    assert body["community_id"] == grid.community_id
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "create_staff")) == 1
    listing = client.get("/api/v1/staff?role=grid_worker", headers=token_for(admin)).get_json()
    assert listing["total"] == 1 and listing["items"][0]["name"] == "网格员小王"


def test_staff_creation_errors(client, admin, token_for, make_community):
    headers = token_for(admin)
    community = make_community()
    base = {"name": "书记", "phone": "13911113333", "password": "Secretary1",
            "role": "community_secretary", "community_id": community.id}
    no_scope = client.post("/api/v1/staff", headers=headers, json={**base, "community_id": None})
    assert no_scope.status_code == 400 and "community_id" in no_scope.get_json()["error"]["fields"]
    unknown = client.post("/api/v1/staff", headers=headers, json={**base, "community_id": 99999})
    assert unknown.status_code == 400
    bad_role = client.post("/api/v1/staff", headers=headers, json={**base, "role": "king"})
    assert bad_role.status_code == 400
    long_name = client.post("/api/v1/staff", headers=headers, json={**base, "name": "名" * 500})
    assert long_name.status_code == 400 and "name" in long_name.get_json()["error"]["fields"]
    assert client.post("/api/v1/staff", headers=headers, json=base).status_code == 201
    taken = client.post("/api/v1/staff", headers=headers, json=base)
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "phone_taken"
    assert db.session.scalar(select(func.count()).select_from(User).where(
        User.role == "community_secretary")) == 1


def test_non_admins_cannot_create_staff(client, make_staff, make_member, token_for):
    secretary = make_staff()
    for user in (secretary, make_member()):
        response = client.post("/api/v1/staff", headers=token_for(user), json={
            "name": "x", "phone": "13911114444", "password": "Secretary1",
            "role": "community_secretary", "community_id": secretary.community_id})
        assert response.status_code == 403
    assert client.post("/api/v1/staff", json={}).status_code == 401
