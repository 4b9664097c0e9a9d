"""A secretary's care of the members: bulk approval, 停用 / 启用, 转出, and the list's search
and filters — with the refusals (another community, a grid worker, bad input)."""

from sqlalchemy import func, select

from tests.conftest import PASSWORD
from volunteer.audit.models import AuditLog
from volunteer.auth.models import User
from volunteer.extensions import db
from volunteer.members import management
from volunteer.notifications.models import Notification


def kinds_told(user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(
        Notification.user_id == user.id).order_by(Notification.id)))


def fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_bulk_approval_approves_the_queue_and_refuses_the_rest(
        client, make_community, make_member, make_staff, token_for):
    community, elsewhere = make_community(), make_community()
    queue = [make_member(community, status="pending") for _ in range(3)]
    done = make_member(community)
    rejected = make_member(community, status="rejected")
    stranger = make_member(elsewhere, status="pending")
    secretary = make_staff("community_secretary", community)
    ids = [m.id for m in queue] + [done.id, rejected.id, stranger.id, 999999, queue[0].id]
    response = client.post("/api/v1/members/approve", headers=token_for(secretary),
                           json={"member_ids": ids})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["approved"] == [m.id for m in queue]
    reasons = {r["id"]: r["reason"] for r in body["refused"]}
    assert reasons == {done.id: "该党员已通过审核",
                       rejected.id: "不是待审核的报到，请在党员页面单独处理",
                       stranger.id: "不是本社区的党员，不能审核", 999999: "找不到该党员"}
    assert all(fresh(m).status == "approved" for m in queue)
    assert fresh(stranger).status == "pending"
    assert kinds_told(queue[1]) == ["member_approved"] and kinds_told(stranger) == []
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "approve_member")) == 3


def test_bulk_approval_bad_input_and_roles(client, make_community, make_member, make_staff,
                                           make_grid, token_for):
    community = make_community()
    member = make_member(community, status="pending")
    h = token_for(make_staff("community_secretary", community))
    for body in ({}, {"member_ids": []}, {"member_ids": "1"}, {"member_ids": [0]},
                 {"member_ids": [2 ** 40]}, {"member_ids": list(range(1, 502))}):
        response = client.post("/api/v1/members/approve", headers=h, json=body)
        assert response.status_code == 400, body
        assert "member_ids" in response.get_json()["error"]["fields"]
    worker = make_staff("grid_worker", make_grid(community))
    assert client.post("/api/v1/members/approve", headers=token_for(worker),
                       json={"member_ids": [member.id]}).status_code == 403
    assert client.post("/api/v1/members/approve",
                       json={"member_ids": [member.id]}).status_code == 401
    assert fresh(member).status == "pending"


def test_bulk_approval_service_bound(ctx, make_staff):
    secretary = make_staff("community_secretary")
    try:
        management.approve_members(secretary, list(range(1, management.BULK_APPROVE_MAX + 2)))
    except Exception as error:  # noqa: BLE001
        assert "member_ids" in error.fields
    else:
        raise AssertionError("no bound")


def test_deactivate_and_reactivate(client, app, login, make_community, make_member,
                                   make_staff, token_for):
    community = make_community()
    member = make_member(community)
    secretary = make_staff("community_secretary", community)
    h = token_for(secretary)
    member_headers = token_for(member)
    no_reason = client.post(f"/api/v1/members/{member.id}/deactivate", headers=h, json={})
    assert no_reason.status_code == 400 and "reason" in no_reason.get_json()["error"]["fields"]
    ok = client.post(f"/api/v1/members/{member.id}/deactivate", headers=h,
                     json={"reason": "已调离南通"})
    assert ok.status_code == 200 and ok.get_json()["active"] is False
    assert client.get("/api/v1/me", headers=member_headers).status_code == 401
    assert client.post("/login", data={"phone": member.phone,
                                       "password": PASSWORD}).status_code != 302
    again = client.post(f"/api/v1/members/{member.id}/deactivate", headers=h,
                        json={"reason": "再次"})
    assert again.status_code == 409
    assert kinds_told(member) == ["member_deactivated"]
    assert db.session.scalar(select(AuditLog.detail).where(
        AuditLog.action == "deactivate_member"))["reason"] == "已调离南通"
    listed = client.get("/api/v1/members?status=deactivated", headers=h).get_json()
    assert [m["id"] for m in listed["items"]] == [member.id]
    assert client.get("/api/v1/members?status=approved", headers=h).get_json()["total"] == 0
    back = client.post(f"/api/v1/members/{member.id}/reactivate", headers=h)
    assert back.status_code == 200 and back.get_json()["active"] is True
    assert client.post(f"/api/v1/members/{member.id}/reactivate", headers=h).status_code == 409


def test_deactivation_refusals(client, make_community, make_member, make_staff, make_grid,
                               token_for):
    community = make_community()
    member = make_member(community)
    stranger = make_staff("community_secretary", make_community())
    worker = make_staff("grid_worker", make_grid(community))
    for who in (stranger, worker):
        response = client.post(f"/api/v1/members/{member.id}/deactivate",
                               headers=token_for(who), json={"reason": "测试"})
        assert response.status_code == 403
        assert client.post(f"/api/v1/members/{member.id}/transfer", headers=token_for(who),
                           json={"community_id": community.id, "reason": "x"}
                           ).status_code == 403
    assert fresh(member).active is True


def test_transfer_makes_the_member_pending_in_the_other_community(
        client, make_community, make_member, make_staff, make_grid, make_branch, token_for):
    community, target = make_community("公园社区"), make_community("虹桥社区")
    grid, branch = make_grid(community), make_branch(community)
    member = make_member(community, grid=grid, branch=branch)
    secretary = make_staff("community_secretary", community)
    receiving = make_staff("community_secretary", target)
    h = token_for(secretary)
    for body, field in (({"community_id": community.id, "reason": "x"}, "community_id"),
                        ({"community_id": 999999, "reason": "x"}, "community_id"),
                        ({"community_id": target.id}, "reason")):
        response = client.post(f"/api/v1/members/{member.id}/transfer", headers=h, json=body)
        assert response.status_code == 400 and field in response.get_json()["error"]["fields"]
    ok = client.post(f"/api/v1/members/{member.id}/transfer", headers=h,
                     json={"community_id": target.id, "reason": "搬家到虹桥"})
    assert ok.status_code == 200, ok.get_json()
    moved = fresh(member)
    assert (moved.community_id, moved.street_id, moved.status) == (
        target.id, target.street_id, "pending")
    assert moved.grid_id is None and moved.branch_id is None
    assert kinds_told(member) == ["member_transferred"]
    assert kinds_told(receiving) == ["member_transferred_in"]
    # the old secretary no longer holds the member; the new one approves
    assert client.get(f"/api/v1/members/{member.id}", headers=h).status_code == 403
    assert client.post(f"/api/v1/members/{member.id}/approve",
                       headers=token_for(receiving)).status_code == 200


def test_list_filters(client, make_community, make_member, make_staff, make_grid, make_unit,
                      make_branch, token_for):
    community = make_community()
    grid, unit, branch = make_grid(community), make_unit("南通市第二中学"), make_branch(community)
    a = make_member(community, grid=grid, unit=unit, branch=branch, skills=("legal",),
                    name="周荣祥", phone="13900000001")
    b = make_member(community, status="pending", name="顾丽")
    c = make_member(community, status="pending", name="陈红")
    h = token_for(make_staff("community_secretary", community))

    def ids(query):
        response = client.get(f"/api/v1/members?{query}", headers=h)
        assert response.status_code == 200
        return [m["id"] for m in response.get_json()["items"]]

    assert ids(f"grid_id={grid.id}") == ids(f"unit_id={unit.id}") == [a.id]
    assert ids(f"branch_id={branch.id}") == ids("skill=legal") == [a.id]
    assert ids("q=13900000001") == ids("q=周荣") == [a.id]
    assert ids("status=pending") == [b.id, c.id]  # the queue: first come, first served
    assert ids("status=all&skill=unknown") == [c.id, b.id, a.id]
    assert ids("q=" + "长" * 300) == []
    bad = client.get("/api/v1/members?grid_id=abc", headers=h)
    assert bad.status_code == 400 and "grid_id" in bad.get_json()["error"]["fields"]


def test_list_page_filters_and_bulk_on_the_web(client, login, make_community, make_member,
                                               make_staff, make_grid):
    community = make_community()
    grid = make_grid(community, "公园一村网格")
    one = make_member(community, status="pending", grid=grid, name="待审核甲")
    two = make_member(community, status="pending", name="待审核乙")
    login(make_staff("community_secretary", community))
    html = client.get(f"/members?status=pending&grid_id={grid.id}").get_data(as_text=True)
    assert "待审核甲" in html and "待审核乙" not in html and "公园一村网格" in html
    assert 'data-testid="bulk-approve"' in html and f'name="member_ids" value="{one.id}"' in html
    response = client.post("/members/approve", data={"member_ids": [str(one.id), str(two.id),
                                                                    "x", "0"]})
    assert response.status_code == 302
    assert fresh(one).status == fresh(two).status == "approved"
    empty = client.post("/members/approve", data={}, follow_redirects=True)
    assert "请选择要通过的党员" in empty.get_data(as_text=True)


def test_web_deactivate_and_transfer_forms(client, login, make_community, make_member,
                                           make_staff):
    community, target = make_community(), make_community("虹桥社区")
    member = make_member(community)
    login(make_staff("community_secretary", community))
    page = client.get(f"/members/{member.id}").get_data(as_text=True)
    assert "停用" in page and "转出" in page and "虹桥社区" in page
    bad = client.post(f"/members/{member.id}/deactivate", data={"reason": ""})
    assert bad.status_code == 400 and "请填写停用原因" in bad.get_data(as_text=True)
    bad = client.post(f"/members/{member.id}/transfer", data={"community_id": "", "reason": ""})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "请选择转入的社区" in text and "请填写转出原因" in text
    assert client.post(f"/members/{member.id}/deactivate",
                       data={"reason": "长期联系不上"}).status_code == 302
    page = client.get(f"/members/{member.id}").get_data(as_text=True)
    assert "重新启用" in page and "长期联系不上" in page
    refused = client.post(f"/members/{member.id}/transfer",
                          data={"community_id": str(target.id), "reason": "搬家"})
    assert refused.status_code == 302 and fresh(member).community_id == community.id
    assert "请先启用" in client.get(f"/members/{member.id}").get_data(as_text=True)
    client.post(f"/members/{member.id}/reactivate")
    done = client.post(f"/members/{member.id}/transfer",
                       data={"community_id": str(target.id), "reason": "搬家"})
    assert done.status_code == 302 and fresh(member).community_id == target.id


def test_a_deactivated_member_is_not_approved(client, make_community, make_member, make_staff,
                                              token_for):
    community = make_community()
    member = make_member(community, status="pending")
    h = token_for(make_staff("community_secretary", community))
    client.post(f"/api/v1/members/{member.id}/deactivate", headers=h, json={"reason": "重复报到"})
    single = client.post(f"/api/v1/members/{member.id}/approve", headers=h)
    assert single.status_code == 409 and "停用" in single.get_json()["error"]["message"]
    bulk = client.post("/api/v1/members/approve", headers=h, json={"member_ids": [member.id]})
    assert bulk.get_json() == {"approved": [],
                               "refused": [{"id": member.id, "reason": "该党员已停用"}]}
