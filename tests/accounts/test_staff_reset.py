"""Staff and CLI resets: a temporary password, shown once, that must be changed first."""

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from volunteer.accounts import services
from volunteer.audit.models import AuditLog
from volunteer.auth.models import ApiToken, User, WebSession
from volunteer.auth.services import check_password
from volunteer.core import throttle
from volunteer.core.errors import NotAllowed
from volunteer.extensions import db


def _token(client, phone, password):
    response = client.post("/api/v1/auth/token", json={"phone": phone, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_temporary_passwords_pass_the_password_rules(ctx):
    for _ in range(50):
        password = services.make_temporary_password()
        assert len(password) == services.TEMPORARY_LENGTH
        check_password(password)


def test_secretary_resets_a_member_of_her_community(client, make_member, make_staff,
                                                    token_for):
    member = make_member()
    secretary = make_staff("community_secretary", scope=member.community)
    old_token = token_for(member)
    response = client.post(f"/api/v1/members/{member.id}/reset-password",
                           headers=token_for(secretary))
    assert response.status_code == 200
    temporary = response.get_json()["temporary_password"]
    # the old password and the old token no longer work
    assert client.get("/api/v1/me", headers=old_token).status_code == 401
    assert client.post("/api/v1/auth/token", json={"phone": member.phone,
                                                   "password": PASSWORD}).status_code == 401
    headers = _token(client, member.phone, temporary)
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me["must_change_password"] is True
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "reset_password"))
    assert entry.actor_id == secretary.id and entry.object_id == member.id


def test_another_communitys_secretary_may_not_reset(client, make_member, make_staff,
                                                    make_community, token_for):
    member = make_member()
    other = make_staff("community_secretary", scope=make_community())
    before = member.password_hash
    response = client.post(f"/api/v1/members/{member.id}/reset-password",
                           headers=token_for(other))
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, member.id).password_hash == before
    assert db.session.get(User, member.id).must_change_password is False


@pytest.mark.parametrize("role", ["grid_worker", "street_reviewer", "member"])
def test_other_roles_may_not_reset_a_member(client, role, make_member, make_staff, make_grid,
                                            token_for):
    member = make_member()
    if role == "member":
        actor = make_member(community=member.community)
    elif role == "grid_worker":
        actor = make_staff("grid_worker", scope=make_grid(member.community))
    else:
        actor = make_staff("street_reviewer", scope=member.community.street)
    response = client.post(f"/api/v1/members/{member.id}/reset-password",
                           headers=token_for(actor))
    assert response.status_code == 403


def test_a_secretary_may_not_reset_staff_and_the_member_path_refuses_staff(
        client, admin, make_staff, make_community, token_for):
    community = make_community()
    secretary = make_staff("community_secretary", scope=community)
    colleague = make_staff("community_secretary", scope=community)
    assert client.post(f"/api/v1/staff/{colleague.id}/reset-password",
                       headers=token_for(secretary)).status_code == 403
    # the member path is for members only: a staff id is not found there
    assert client.post(f"/api/v1/members/{colleague.id}/reset-password",
                       headers=token_for(admin)).status_code == 404
    assert client.post(f"/api/v1/staff/{colleague.id}/reset-password",
                       headers=token_for(admin)).status_code == 200


def test_admin_resets_staff_and_a_member_but_not_itself(client, admin, make_staff, make_member,
                                                        token_for):
    staff = make_staff("street_reviewer", scope=make_member().community.street)
    headers = token_for(admin)
    assert client.post(f"/api/v1/staff/{staff.id}/reset-password",
                       headers=headers).status_code == 200
    assert client.post(f"/api/v1/staff/{admin.id}/reset-password",
                       headers=headers).status_code == 403
    assert client.post("/api/v1/staff/999999/reset-password", headers=headers).status_code == 404
    member = make_member()
    assert client.post(f"/api/v1/members/{member.id}/reset-password",
                       headers=headers).status_code == 200


def test_a_reset_ends_web_sessions_and_clears_the_lockout(app, client, make_member, make_staff,
                                                          login, token_for):
    member = make_member()
    secretary = make_staff("community_secretary", scope=member.community)
    member_client = app.test_client()
    login(member, c=member_client)
    for _ in range(5):
        client.post("/api/v1/auth/token", json={"phone": member.phone, "password": "wrong-pw1"})
    assert client.post("/api/v1/auth/token", json={"phone": member.phone,
                                                   "password": PASSWORD}).status_code == 429
    temporary = client.post(f"/api/v1/members/{member.id}/reset-password",
                            headers=token_for(secretary)).get_json()["temporary_password"]
    assert member_client.get("/me").status_code == 302  # the browser was logged out
    assert db.session.scalar(select(func.count()).select_from(WebSession)
                             .where(WebSession.user_id == member.id,
                                    WebSession.ended_at.is_(None))) == 0
    assert db.session.scalar(select(func.count()).select_from(ApiToken)
                             .where(ApiToken.user_id == member.id,
                                    ApiToken.revoked_at.is_(None))) == 0
    assert throttle.count_events("login_phone", member.phone, throttle_window(app)) == 0
    _token(client, member.phone, temporary)


def throttle_window(app):
    from datetime import timedelta

    return timedelta(minutes=app.config["LOGIN_FAILURE_WINDOW_MINUTES"])


def test_password_change_required_everywhere_but_the_change(client, make_member, make_staff,
                                                            token_for):
    member = make_member()
    secretary = make_staff("community_secretary", scope=member.community)
    temporary = client.post(f"/api/v1/members/{member.id}/reset-password",
                            headers=token_for(secretary)).get_json()["temporary_password"]
    headers = _token(client, member.phone, temporary)
    for method, path in [("get", "/api/v1/me/claims"), ("get", "/api/v1/tasks"),
                         ("get", "/api/v1/me/notifications"), ("post", "/api/v1/tasks/1/claim"),
                         ("get", "/api/v1/wishes")]:
        response = getattr(client, method)(path, headers=headers)
        assert response.status_code == 403, path
        assert response.get_json()["error"]["code"] == "password_change_required", path
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    same = client.post("/api/v1/auth/password", headers=headers,
                       json={"old_password": temporary, "new_password": temporary})
    assert same.status_code == 400
    weak = client.post("/api/v1/auth/password", headers=headers,
                       json={"old_password": temporary, "new_password": "password123"})
    assert weak.status_code == 400
    changed = client.post("/api/v1/auth/password", headers=headers,
                          json={"old_password": temporary, "new_password": "Langshan-2026"})
    assert changed.status_code == 200
    headers = _token(client, member.phone, "Langshan-2026")
    assert client.get("/api/v1/me", headers=headers).get_json()["must_change_password"] is False
    assert client.get("/api/v1/me/claims", headers=headers).status_code == 200


def test_pages_redirect_to_the_change_form_until_changed(client, make_member, make_staff, ctx):
    member = make_member()
    secretary = make_staff("community_secretary", scope=member.community)
    temporary = services.reset_password(secretary, member)
    db.session.commit()
    response = client.post("/login", data={"phone": member.phone, "password": temporary})
    assert response.status_code == 302
    for path in ("/home", "/me", "/tasks", "/notifications"):
        page = client.get(path)
        assert page.status_code == 302 and page.location.endswith("/account/password"), path
    form = client.get("/account/password")
    assert form.status_code == 200 and "请设置新密码" in form.get_data(as_text=True)
    done = client.post("/account/password", data={"old_password": temporary,
                                                  "new_password": "Langshan-2026"})
    assert done.status_code == 302
    assert client.get("/me").status_code == 200


def test_reset_service_refuses_without_permission(ctx, make_member, make_community, make_staff):
    member = make_member()
    with pytest.raises(NotAllowed):
        services.reset_password(make_staff("community_secretary", scope=make_community()),
                                member)
    with pytest.raises(NotAllowed):
        services.reset_password(member, member)


def test_cli_prints_a_temporary_password(app, runner, make_member, ctx):
    member = make_member()
    result = runner.invoke(args=["reset-password", "--phone", member.phone])
    assert result.exit_code == 0, result.output
    temporary = result.output.split("临时密码：")[1].split()[0]
    db.session.expire_all()
    user = db.session.get(User, member.id)
    assert user.must_change_password is True
    client = app.test_client()
    assert client.post("/api/v1/auth/token", json={"phone": member.phone,
                                                   "password": temporary}).status_code == 200
    unknown = runner.invoke(args=["reset-password", "--phone", "13000000000"])
    assert unknown.exit_code != 0 and "没有使用该手机号的账号" in unknown.output
    bad = runner.invoke(args=["reset-password", "--phone", "12"])
    assert bad.exit_code != 0 and "11 位手机号" in bad.output


def test_the_pages_show_the_temporary_password_once(client, login, make_member, make_staff,
                                                    admin):
    member = make_member()
    secretary = make_staff("community_secretary", scope=member.community)
    login(secretary)
    detail = client.get(f"/members/{member.id}").get_data(as_text=True)
    assert "重置密码" in detail and "修改登录手机号" in detail
    page = client.post(f"/members/{member.id}/reset-password")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="temporary-password"' in html
    assert page.headers["Cache-Control"] == "no-store"
    other = make_member()
    assert client.post(f"/members/{other.id}/reset-password").status_code == 403
    admin_client = login(admin, c=client.application.test_client())
    staff_page = admin_client.get("/admin/staff").get_data(as_text=True)
    assert f"/admin/staff/{secretary.id}/reset-password" in staff_page
    assert admin_client.post(f"/admin/staff/{secretary.id}/reset-password").status_code == 200
