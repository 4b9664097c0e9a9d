"""搬家 / 更换单位: POST /api/v1/me/move and /me/move."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.reports.conftest import make_claimed_task  # noqa: F401  (a fixture, shared)
from volunteer.audit.models import AuditLog
from volunteer.auth.models import User
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.notifications.models import Notification
from volunteer.stats.models import MemberMove


@pytest.fixture
def places(make_community, make_grid, make_unit, make_branch, make_member, make_staff):
    old, new = make_community("公园社区"), make_community("幸福社区")
    found = {"old": old, "new": new, "old_grid": make_grid(old, "公园一村网格"),
             "old_grid2": make_grid(old, "公园二村网格"),
             "new_grid": make_grid(new, "幸福一村网格"),
             "school": make_unit("南通市第二中学"), "hospital": make_unit("南通大学附属医院"),
             "branch": make_branch(old, "公园社区功能型党支部")}
    found["member"] = make_member(old, unit=found["school"], grid=found["old_grid"],
                                  branch=found["branch"], name="顾丽")
    found["old_secretary"] = make_staff("community_secretary", old)
    found["new_secretary"] = make_staff("community_secretary", new)
    return found


def move(client, token_for, user, **body):
    return client.post("/api/v1/me/move", json=body, headers=token_for(user))


def inbox(user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(
        Notification.user_id == user.id)))


def test_a_new_community_makes_the_member_pending_there(client, token_for, places,
                                                          make_claimed_task):  # noqa: F811
    member = places["member"]
    claim = make_claimed_task(member, utcnow() + timedelta(days=3))
    response = move(client, token_for, member, community_id=places["new"].id,
                    grid_id=places["new_grid"].id, unit_id=places["hospital"].id)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "pending" and body["community_id"] == places["new"].id
    db.session.expire_all()
    member = db.session.get(User, member.id)
    assert (member.community_id, member.grid_id, member.unit_id, member.branch_id,
            member.street_id) == (places["new"].id, places["new_grid"].id,
                                  places["hospital"].id, None, places["new"].street_id)
    assert claim.status == "claimed"  # claims stay until the member cancels them
    assert inbox(places["new_secretary"]) == ["member_moved_in"]
    assert inbox(places["old_secretary"]) == ["member_moved_out"]
    (row,) = db.session.scalars(select(AuditLog).where(AuditLog.action == "move_member"))
    assert row.actor_id == member.id
    (was,) = db.session.scalars(select(MemberMove))
    assert (was.community_id, was.branch_id, was.status) == (
        places["old"].id, places["branch"].id, "approved")
    # the new community's secretary approves as for 报到; the old one no longer may
    from volunteer.members.permissions import can_review_member
    assert can_review_member(places["new_secretary"], member)
    assert not can_review_member(places["old_secretary"], member)


def test_a_new_community_without_a_grid_leaves_the_grid_empty(client, token_for, places):
    response = move(client, token_for, places["member"], community_id=places["new"].id)
    assert response.status_code == 200
    assert response.get_json()["grid_id"] is None


@pytest.mark.parametrize("change", ["grid", "unit"])
def test_a_grid_or_unit_change_keeps_the_member_approved(client, token_for, places, change):
    body = ({"grid_id": places["old_grid2"].id} if change == "grid"
            else {"unit_id": places["hospital"].id})
    response = move(client, token_for, places["member"], **body)
    assert response.status_code == 200
    found = response.get_json()
    assert found["status"] == "approved" and found["community_id"] == places["old"].id
    db.session.expire_all()
    assert db.session.get(User, places["member"].id).branch_id == places["branch"].id
    assert inbox(places["old_secretary"]) == [] and inbox(places["new_secretary"]) == []


@pytest.mark.parametrize(("body", "field"), [
    (lambda p: {"grid_id": p["new_grid"].id}, "grid_id"),  # a grid of another community
    (lambda p: {"community_id": p["new"].id, "grid_id": p["old_grid"].id}, "grid_id"),
    (lambda p: {"community_id": 999999}, "community_id"),
    (lambda p: {"grid_id": 999999}, "grid_id"),
    (lambda p: {"unit_id": 999999}, "unit_id"),
])
def test_refusals_name_the_field_and_change_nothing(client, token_for, places, body, field):
    response = move(client, token_for, places["member"], **body(places))
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(MemberMove)) == 0
    db.session.expire_all()
    assert db.session.get(User, places["member"].id).community_id == places["old"].id


def test_nothing_changed_is_refused(client, token_for, places):
    member = places["member"]
    for body in ({}, {"community_id": places["old"].id, "grid_id": places["old_grid"].id,
                      "unit_id": places["school"].id}):
        response = move(client, token_for, member, **body)
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "nothing_changed"


def test_bad_input_is_a_400(client, token_for, places):
    for body in ({"community_id": "x"}, {"community_id": 2**40}, {"unit_id": -1}):
        response = client.post("/api/v1/me/move", json=body,
                               headers=token_for(places["member"]))
        assert response.status_code == 400


def test_only_a_member_moves(client, token_for, places):
    response = move(client, token_for, places["old_secretary"], community_id=places["new"].id)
    assert response.status_code == 403
    assert client.post("/api/v1/me/move", json={}).status_code == 401


def test_the_page_asks_and_moves(client, login, places):
    member = places["member"]
    login(member)
    page = client.get("/me/move")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "data-confirm" in text and "搬家" in text
    assert client.get("/me").get_data(as_text=True).count("/me/move") == 1
    response = client.post("/me/move", data={"community_id": places["old"].id,
                                             "grid_id": places["old_grid"].id,
                                             "unit_name": "南通市第二中学"})
    assert response.status_code == 200 and "没有需要变更的内容" in response.get_data(as_text=True)
    response = client.post("/me/move", data={"community_id": places["old"].id,
                                             "grid_id": places["old_grid"].id,
                                             "unit_name": "不存在的单位"})
    assert "找不到该单位" in response.get_data(as_text=True)
    response = client.post("/me/move", data={"community_id": places["new"].id, "grid_id": "",
                                             "unit_name": "南通大学附属医院"})
    assert response.status_code == 302
    db.session.expire_all()
    moved = db.session.get(User, member.id)
    assert (moved.status, moved.community_id, moved.unit_id) == (
        "pending", places["new"].id, places["hospital"].id)
    assert "等待社区书记审核" in client.get("/me").get_data(as_text=True)


def test_staff_cannot_open_the_page(client, login, places):
    login(places["old_secretary"])
    assert client.get("/me/move").status_code == 403
