"""The to-do list of each role (home.services.todo_items) and GET /api/v1/me/todo."""

from datetime import timedelta

import pytest

from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.home import services


def _items(user) -> dict:
    return {item.kind: item for item in services.todo_items(user)}


def test_secretary_counts_approvals_and_hours_of_their_own_community(area, make_member,
                                                                     make_claim):
    south = area["south_secretary"]
    make_member(area["away"], status="pending")  # another community's: not counted
    make_member(area["south"], status="pending")
    make_claim(area["a"], starts_in=-5, checked_out=True)
    make_claim(area["b"], starts_in=-5, checked_out=True)
    make_claim(area["e"], starts_in=-5, checked_out=True)  # 新西社区's
    items = _items(south)
    assert items["approvals"].count == 2  # the fixture's 待审核 and the new one
    assert items["approvals"].link == "/members?status=pending"
    assert items["hours_to_confirm"].count == 2
    assert items["hours_to_confirm"].link == "/tasks?pending=1"
    assert "hours_to_confirm" not in _items(area["east_secretary"])


def test_one_task_to_confirm_links_to_its_roster(area, make_claim):
    claim = make_claim(area["a"], starts_in=-5, checked_out=True)
    item = _items(area["south_secretary"])["hours_to_confirm"]
    assert (item.count, item.link) == (1, f"/tasks/{claim.task_id}/roster")


def test_tasks_ended_long_ago_unconfirmed_are_overdue(area, make_claim):
    make_claim(area["a"], starts_in=-24 * 3)   # ended three days ago, never checked out
    make_claim(area["b"], starts_in=-5)        # ended today: not yet overdue
    items = _items(area["south_secretary"])
    assert items["tasks_overdue"].count == 1
    assert "hours_to_confirm" not in items


def test_confirmed_and_absent_claims_wait_for_nobody(area, make_claim):
    done = make_claim(area["a"], starts_in=-24 * 3, checked_out=True)
    done.confirmed_at, done.confirmed_minutes, done.quality = utcnow(), 120, 5
    absent = make_claim(area["b"], starts_in=-24 * 3)
    absent.no_show, absent.confirmed_at = True, utcnow()
    db.session.commit()
    items = _items(area["south_secretary"])
    assert "hours_to_confirm" not in items and "tasks_overdue" not in items


@pytest.fixture
def requests_in(area):
    from volunteer.requests import services as requests

    def make(community, status="submitted", member=None, age_hours=0):
        req = requests.submit_request(
            ip=f"10.9.{community.id}.{make.n}", website=None, name="王阿姨",
            phone="13800001111", category="repair", description="水龙头漏水",
            address="8幢201室", privacy_consent=True, community_id=community.id)
        make.n += 1
        if status != "submitted":
            requests.accept_request(_secretary(area, community), req)
        if status == "dispatched":
            requests.dispatch_request(_secretary(area, community), req, member.id)
        req.created_at = utcnow() - timedelta(hours=age_hours)
        db.session.commit()
        return req

    make.n = 1
    return make


def _secretary(area, community):
    return {area["south"].id: area["south_secretary"], area["east"].id: area["east_secretary"],
            area["away"].id: area["away_secretary"]}[community.id]


def test_requests_to_accept_dispatch_and_take(area, requests_in):
    requests_in(area["east"])
    requests_in(area["east"], age_hours=30)  # not accepted within 24 h: overdue
    requests_in(area["east"], "accepted")
    requests_in(area["east"], "dispatched", member=area["c"])
    requests_in(area["away"])
    secretary = _items(area["east_secretary"])
    assert secretary["requests_to_accept"].count == 2
    assert secretary["requests_to_dispatch"].count == 1
    assert secretary["requests_overdue"].count == 1
    assert secretary["requests_overdue"].link == "/requests?status=overdue"
    worker = _items(area["east_grid_worker"])
    assert worker["requests_to_accept"].count == 2
    assert "requests_to_dispatch" not in worker  # the secretary dispatches
    member = _items(area["c"])
    assert member["requests_to_take"].count == 1
    assert member["requests_to_take"].link == "/requests?status=dispatched"
    assert "requests_to_take" not in _items(area["d"])
    street = _items(area["reviewer"])
    assert street["requests_overdue"].count == 1
    assert "requests_overdue" not in _items(area["other_reviewer"])


def test_wish_claims_and_wishes_to_publish(area, make_member):
    from volunteer.wishes import services as wishes

    values = {"household_kind": "elderly_alone", "beneficiary_name": "张秀英",
              "address": "56幢302室", "phone": "13912345678", "content": "想要一台电饭煲",
              "value": 200}
    worker, secretary = area["east_grid_worker"], area["east_secretary"]
    waiting = wishes.create_wish(worker, **values)
    claimed = wishes.create_wish(worker, **values)
    wishes.publish_wish(secretary, claimed)
    wishes.claim_wish(area["c"], claimed)
    db.session.commit()
    items = _items(secretary)
    assert items["wishes_to_publish"].count == 1
    assert items["wish_claims"].count == 1
    assert _items(worker)["wish_claims"].count == 1
    assert "wish_claims" not in _items(area["south_secretary"])
    wishes.return_wish(secretary, waiting, "请补充地址")
    wishes.accept_wish_claim(secretary, claimed, area["c"].id)
    db.session.commit()
    assert _items(worker)["wishes_returned"].count == 1
    member = _items(area["c"])
    assert member["wishes_to_fulfil"].count == 1
    assert member["wishes_to_fulfil"].link == "/wishes?tab=mine"


def test_member_sees_the_open_call_and_the_next_service(area, make_claim):
    from volunteer.mobilisation import services as mobilisation

    call = mobilisation.declare(area["reviewer"], title="防汛集结", message="请到社区报到",
                                community_ids=[area["south"].id],
                                posts=[{"name": "值守", "needed": 2}])
    later = make_claim(area["a"], starts_in=48, title="敬老院探访")
    make_claim(area["a"], starts_in=72, title="垃圾分类宣传")
    db.session.commit()
    items = _items(area["a"])
    assert items["mobilisation"].link == f"/mobilisations/{call.id}"
    assert items["mobilisation"].title == "集结号：防汛集结"
    assert items["next_service"].count == 2
    assert items["next_service"].link == f"/tasks/{later.task_id}"
    assert "敬老院探访" in items["next_service"].title
    assert "mobilisation" not in _items(area["e"])  # another community is not called
    mobilisation.reply(area["a"], call, "reporting")
    db.session.commit()
    assert "mobilisation" not in _items(area["a"])
    assert _items(area["south_secretary"])["mobilisation_active"].count == 1


def test_a_running_service_asks_for_check_out(area, make_claim):
    claim = make_claim(area["b"], starts_in=-1, hours=2, checked_in=True)
    items = _items(area["b"])
    assert items["check_out"].link == f"/tasks/{claim.task_id}"
    assert "next_service" not in items


def test_pending_member_is_told_to_wait(area):
    items = services.todo_items(area["pending"])
    assert [(i.kind, i.link) for i in items] == [("registration", "/me")]


def test_deletion_requests_for_the_secretary_and_the_admin(area, admin):
    from volunteer.privacy import services as privacy

    privacy.request_deletion(area["b"])
    db.session.commit()
    assert _items(area["south_secretary"])["deletions"].count == 1
    assert "deletions" not in _items(area["east_secretary"])
    assert _items(admin)["deletions"].link == "/members/deletion-requests"


def test_figures_link_to_each_role_dashboard(area, make_service, make_unit, make_member,
                                            make_staff, admin):
    unit = make_unit("市一中")
    worker_of_unit = make_member(area["south"], unit=unit)
    make_service(area["a"], utcnow() - timedelta(hours=1))
    make_service(worker_of_unit, utcnow() - timedelta(hours=1))
    contact = make_staff("unit_contact", unit)
    links = {
        "south_secretary": f"/review/community/{area['south'].id}",
        "reviewer": f"/review/street/{area['street'].id}",
        "branch_secretary": f"/review/branch/{area['a'].branch_id}",
        "east_grid_worker": "/members?status=approved",
    }
    for name, link in links.items():
        figures = _items(area[name])["figures"]
        assert figures.link == link, name
    assert _items(area["south_secretary"])["figures"].count == 2  # two active members
    assert _items(area["branch_secretary"])["figures"].count == 1
    assert _items(contact)["figures"].link == f"/review/unit/{unit.id}"
    assert _items(contact)["figures"].count == 1
    assert _items(admin)["figures"].link == "/review/district"
    assert "members_inactive" not in _items(contact)  # its one member served


def test_branch_secretary_sees_inactive_members(area):
    item = _items(area["branch_secretary"])["members_inactive"]
    assert item.count == 1  # 冯罡, without a service this quarter
    assert item.link == f"/review/branch/{area['a'].branch_id}"


def test_at_most_twenty_items(area, monkeypatch):
    many = [services.TodoItem("mobilisation", f"集结号：{n}", 1, f"/mobilisations/{n}")
            for n in range(30)]
    monkeypatch.setitem(services._ITEMS, "community_secretary", lambda user, now: many)
    assert len(services.todo_items(area["south_secretary"])) == services.TODO_MAX


# --- the API ------------------------------------------------------------------------------

def test_api_todo_lists_the_callers_items(client, area, make_member, token_for):
    make_member(area["south"], status="pending")
    make_member(area["away"], status="pending")
    response = client.get("/api/v1/me/todo", headers=token_for(area["south_secretary"]))
    assert response.status_code == 200
    items = response.get_json()["items"]
    approvals = next(i for i in items if i["kind"] == "approvals")
    assert approvals == {"kind": "approvals", "title": "待审核的党员报到", "count": 2,
                         "link": "/members?status=pending"}
    assert all(set(i) == {"kind", "title", "count", "link"} for i in items)
    assert all(i["link"].startswith("/") for i in items)


def test_api_todo_of_a_member_and_of_another_community(client, area, make_claim, token_for):
    make_claim(area["a"], starts_in=24)
    mine = client.get("/api/v1/me/todo", headers=token_for(area["a"])).get_json()["items"]
    assert [i["kind"] for i in mine] == ["next_service", "figures"]
    assert mine[-1]["title"].endswith("未参与")
    other = client.get("/api/v1/me/todo", headers=token_for(area["e"])).get_json()["items"]
    assert [i["kind"] for i in other] == ["figures"]


def test_api_todo_needs_a_login(client):
    response = client.get("/api/v1/me/todo")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"]


def test_api_todo_is_at_most_twenty(client, area, monkeypatch, token_for):
    many = [services.TodoItem("approvals", "待审核的党员报到", n + 1, "/members")
            for n in range(25)]
    monkeypatch.setitem(services._ITEMS, "grid_worker", lambda user, now: many)
    items = client.get("/api/v1/me/todo", headers=token_for(area["east_grid_worker"])
                       ).get_json()["items"]
    assert len(items) == 20


def test_openapi_documents_the_todo_response(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    answer = spec["paths"]["/api/v1/me/todo"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]


def test_grid_workers_figures_are_their_grids(area, make_service):
    make_service(area["c"], utcnow() - timedelta(hours=1), minutes=90)
    make_service(area["d"], utcnow() - timedelta(hours=1), minutes=60)  # the other grid
    figures = services.responsibility(area["east_grid_worker"])
    assert (figures["approved"], figures["active"], figures["services"], figures["hours"]) == (
        1, 1, 1, 1.5)
    assert figures["name"] == "城东社区 城东一网格"
    assert services.responsibility(area["a"]) is None  # members have a standing instead


def test_check_out_is_asked_only_while_it_is_possible(area, make_claim):
    make_claim(area["b"], starts_in=-6, hours=2, checked_in=True)  # ended 4 h ago: too late
    assert "check_out" not in _items(area["b"])
