"""换届 (a staff account's new scope, a successor) and a member's new login phone."""

from sqlalchemy import select

from tests.conftest import PASSWORD
from volunteer.audit.models import AuditLog
from volunteer.auth.models import User
from volunteer.extensions import db
from volunteer.notifications.models import Notification


def test_admin_moves_a_secretary_to_another_community(client, admin, make_staff, make_community,
                                                       token_for):
    first, second = make_community(), make_community()
    secretary = make_staff("community_secretary", scope=first)
    response = client.put(f"/api/v1/staff/{secretary.id}/scope", headers=token_for(admin),
                          json={"community_id": second.id})
    assert response.status_code == 200
    body = response.get_json()
    assert body["community_id"] == second.id and body["street_id"] == second.street_id
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "change_staff_scope"))
    assert entry.detail["before"]["community_id"] == first.id
    assert entry.detail["after"]["community_id"] == second.id


def test_a_scope_change_can_change_the_role(client, admin, make_staff, make_grid, token_for):
    grid = make_grid()
    secretary = make_staff("community_secretary", scope=grid.community)
    response = client.put(f"/api/v1/staff/{secretary.id}/scope", headers=token_for(admin),
                          json={"role": "grid_worker", "grid_id": grid.id})
    assert response.status_code == 200
    assert response.get_json()["role"] == "grid_worker"
    assert response.get_json()["grid_id"] == grid.id


def test_scope_refusals(client, admin, make_staff, make_community, make_member, token_for):
    community = make_community()
    secretary = make_staff("community_secretary", scope=community)
    headers = token_for(admin)
    missing = client.put(f"/api/v1/staff/{secretary.id}/scope", headers=headers, json={})
    assert missing.status_code == 400 and "community_id" in missing.get_json()["error"]["fields"]
    unknown = client.put(f"/api/v1/staff/{secretary.id}/scope", headers=headers,
                         json={"community_id": 999999})
    assert unknown.status_code == 400
    member = make_member()
    assert client.put(f"/api/v1/staff/{member.id}/scope", headers=headers,
                      json={"community_id": community.id}).status_code == 404
    other = make_staff("community_secretary", scope=community)
    assert client.put(f"/api/v1/staff/{other.id}/scope", headers=token_for(secretary),
                      json={"community_id": community.id}).status_code == 403
    assert client.put(f"/api/v1/staff/{admin.id}/scope", headers=headers,
                      json={"community_id": community.id}).status_code == 403


def test_hand_over_to_a_new_account(client, admin, make_staff, make_community, token_for):
    community = make_community()
    old = make_staff("community_secretary", scope=community, name="朱振华")
    old_headers = token_for(old)
    response = client.post(f"/api/v1/staff/{old.id}/hand-over", headers=token_for(admin),
                           json={"successor_phone": "13900001111", "successor_name": "陈晓燕"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["successor"]["role"] == "community_secretary"
    assert body["successor"]["community_id"] == community.id
    assert body["successor"]["must_change_password"] is True
    temporary = body["temporary_password"]
    db.session.expire_all()
    old_row = db.session.get(User, old.id)
    assert old_row.active is False and old_row.name == "朱振华"  # history keeps the name
    assert old_row.community_id == community.id
    assert client.get("/api/v1/me", headers=old_headers).status_code == 401
    login = client.post("/api/v1/auth/token", json={"phone": "13900001111",
                                                    "password": temporary})
    assert login.status_code == 200
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "hand_over_staff"))
    assert entry.object_id == old.id and entry.detail["successor_id"] == body["successor"]["id"]


def test_hand_over_to_an_existing_staff_account(client, admin, make_staff, make_community,
                                                token_for):
    community, elsewhere = make_community(), make_community()
    old = make_staff("community_secretary", scope=community)
    successor = make_staff("community_secretary", scope=elsewhere)
    response = client.post(f"/api/v1/staff/{old.id}/hand-over", headers=token_for(admin),
                           json={"successor_phone": successor.phone})
    assert response.status_code == 200
    assert response.get_json()["temporary_password"] is None
    assert response.get_json()["successor"]["community_id"] == community.id
    assert client.post("/api/v1/auth/token", json={"phone": successor.phone,
                                                   "password": PASSWORD}).status_code == 200


def test_hand_over_refusals(client, admin, make_staff, make_member, make_community, token_for):
    community = make_community()
    old = make_staff("community_secretary", scope=community)
    member = make_member()
    headers = token_for(admin)
    to_member = client.post(f"/api/v1/staff/{old.id}/hand-over", headers=headers,
                            json={"successor_phone": member.phone})
    assert to_member.status_code == 400
    assert "successor_phone" in to_member.get_json()["error"]["fields"]
    to_self = client.post(f"/api/v1/staff/{old.id}/hand-over", headers=headers,
                          json={"successor_phone": old.phone})
    assert to_self.status_code == 400
    no_name = client.post(f"/api/v1/staff/{old.id}/hand-over", headers=headers,
                          json={"successor_phone": "13900002222"})
    assert no_name.status_code == 400
    assert "successor_name" in no_name.get_json()["error"]["fields"]
    by_secretary = client.post(f"/api/v1/staff/{old.id}/hand-over",
                               headers=token_for(make_staff("community_secretary")),
                               json={"successor_phone": "13900003333", "successor_name": "王"})
    assert by_secretary.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, old.id).active is True


def test_secretary_changes_a_members_phone(client, make_member, make_staff, token_for):
    member = make_member()
    old = member.phone
    secretary = make_staff("community_secretary", scope=member.community)
    response = client.put(f"/api/v1/members/{member.id}/phone", headers=token_for(secretary),
                          json={"phone": "13911112222"})
    assert response.status_code == 200 and response.get_json()["phone"] == "13911112222"
    assert client.post("/api/v1/auth/token", json={"phone": "13911112222",
                                                   "password": PASSWORD}).status_code == 200
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "change_member_phone"))
    assert entry.detail == {"before": f"{old[:3]}****{old[-4:]}",
                            "after": "139****2222"}
    note = db.session.scalar(select(Notification).where(Notification.user_id == member.id))
    assert "139****2222" in note.body


def test_phone_change_refusals(client, make_member, make_staff, make_community, token_for):
    member, taken = make_member(), make_member()
    secretary = make_staff("community_secretary", scope=member.community)
    headers = token_for(secretary)
    assert client.put(f"/api/v1/members/{member.id}/phone", headers=headers,
                      json={"phone": taken.phone}).status_code == 409
    assert client.put(f"/api/v1/members/{member.id}/phone", headers=headers,
                      json={"phone": member.phone}).status_code == 400
    assert client.put(f"/api/v1/members/{member.id}/phone", headers=headers,
                      json={"phone": "1234"}).status_code == 400
    other = make_staff("community_secretary", scope=make_community())
    assert client.put(f"/api/v1/members/{member.id}/phone", headers=token_for(other),
                      json={"phone": "13911113333"}).status_code == 403
    assert client.put(f"/api/v1/members/{member.id}/phone", headers=token_for(member),
                      json={"phone": "13911113333"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, member.id).phone == member.phone


def test_the_member_page_changes_the_phone(client, login, make_member, make_staff):
    member, taken = make_member(), make_member()
    secretary = make_staff("community_secretary", scope=member.community)
    login(secretary)
    refused = client.post(f"/members/{member.id}/phone", data={"phone": taken.phone},
                          follow_redirects=True)
    assert "该手机号已注册" in refused.get_data(as_text=True)
    done = client.post(f"/members/{member.id}/phone", data={"phone": "13911114444"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, member.id).phone == "13911114444"


def test_the_turnover_page(client, login, admin, make_staff, make_community):
    first, second = make_community(), make_community()
    secretary = make_staff("community_secretary", scope=first, name="朱振华")
    login(admin)
    page = client.get(f"/admin/staff/{secretary.id}/turnover")
    assert page.status_code == 200 and "交接给继任者" in page.get_data(as_text=True)
    moved = client.post(f"/admin/staff/{secretary.id}/turnover",
                        data={"action": "scope", "scope-role": "community_secretary",
                              "scope-scope_id": second.id})
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, secretary.id).community_id == second.id
    handed = client.post(f"/admin/staff/{secretary.id}/turnover",
                         data={"action": "hand_over", "hand-successor_phone": "13900005555",
                               "hand-successor_name": "陈晓燕"})
    assert handed.status_code == 200
    assert 'data-testid="temporary-password"' in handed.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, secretary.id).active is False
    assert client.get(f"/admin/staff/{secretary.id}/turnover").status_code == 200
