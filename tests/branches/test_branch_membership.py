"""Branch membership: the service, PUT /api/v1/members/{id}/branch, the member page's form,
registration with a branch, and the branch's members (API and page) with their refusals."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.reports.conftest import make_service  # noqa: F401  (a fixture, shared)
from volunteer.audit.models import AuditLog
from volunteer.auth.models import User
from volunteer.core.errors import NotAllowed, ValidationFailed
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.members import services
from volunteer.notifications.models import Notification
from volunteer.orgs.models import Branch


@pytest.fixture
def area(make_community, make_branch, make_member, make_staff):
    park, other = make_community("公园社区"), make_community("新西社区")
    general = make_branch(park, "公园社区功能型党总支", level="general")
    branch = make_branch(park, "退休党员支部")
    branch.parent_id = general.id
    group = make_branch(park, "退休党员第一小组", level="group")
    group.parent_id = branch.id
    db.session.commit()
    return {
        "park": park, "other": other, "general": general, "branch": branch, "group": group,
        "elsewhere": make_branch(other, "新西社区党支部"),
        "member": make_member(park, name="顾丽"),
        "secretary": make_staff("community_secretary", park),
        "other_secretary": make_staff("community_secretary", other),
    }


def put_branch(client, token_for, user, member, branch_id):
    return client.put(f"/api/v1/members/{member.id}/branch", json={"branch_id": branch_id},
                      headers=token_for(user))


# the service


def test_the_secretary_places_and_removes_a_member(ctx, area):
    member = area["member"]
    services.set_member_branch(area["secretary"], member, area["branch"])
    db.session.commit()
    assert db.session.get(User, member.id).branch_id == area["branch"].id
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "set_member_branch"))
    assert entry.object_id == member.id and entry.detail["branch"] == "退休党员支部"
    assert entry.detail["old_branch_id"] is None
    told = db.session.scalars(select(Notification).where(Notification.user_id == member.id))
    assert [n.title for n in told] == ["您已编入退休党员支部"]
    services.set_member_branch(area["secretary"], member, None)
    db.session.commit()
    assert db.session.get(User, member.id).branch_id is None
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "set_member_branch")
                                 .order_by(AuditLog.id)).all()
    assert entries[-1].detail["old_branch"] == "退休党员支部" and len(entries) == 2


def test_placing_again_in_the_same_branch_changes_nothing(ctx, area):
    services.set_member_branch(area["secretary"], area["member"], area["group"])
    services.set_member_branch(area["secretary"], area["member"], area["group"])
    db.session.commit()
    assert db.session.query(AuditLog).filter_by(action="set_member_branch").count() == 1


@pytest.mark.parametrize("which, message", [
    ("elsewhere", "所选党组织不属于该党员的居住社区"),
    ("general", "党员只能编入功能型党支部或党小组，不能直接编入党总支"),
])
def test_a_branch_of_another_community_or_a_general_branch_is_refused(ctx, area, which,
                                                                       message):
    with pytest.raises(ValidationFailed) as refused:
        services.set_member_branch(area["secretary"], area["member"], area[which])
    assert refused.value.fields == {"branch_id": message}
    db.session.rollback()
    assert db.session.get(User, area["member"].id).branch_id is None


@pytest.mark.parametrize("role", ["other_secretary", "grid_worker", "branch_secretary",
                                  "district_admin"])
def test_only_the_members_community_secretary_places(ctx, area, make_staff, make_grid, role):
    actor = {"other_secretary": lambda: area["other_secretary"],
             "grid_worker": lambda: make_staff("grid_worker", make_grid(area["park"])),
             "branch_secretary": lambda: make_staff("branch_secretary", area["branch"]),
             "district_admin": lambda: make_staff("district_admin")}[role]()
    with pytest.raises(NotAllowed):
        services.set_member_branch(actor, area["member"], area["branch"])


def test_a_branch_change_is_signalled_for_the_statistics(ctx, area):
    from volunteer.core import signals

    seen = []

    def receiver(member, **_extra):
        seen.append(member.branch_id)

    signals.member_moving.connect(receiver)
    try:
        services.set_member_branch(area["secretary"], area["member"], area["branch"])
    finally:
        signals.member_moving.disconnect(receiver)
    # sent before the change, so the services already over stay with the old branch
    assert seen == [None] and area["member"].branch_id == area["branch"].id


# the API


def test_put_branch_answers_the_member(client, token_for, area):
    response = put_branch(client, token_for, area["secretary"], area["member"],
                          area["group"].id)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["branch_id"] == area["group"].id
    removed = put_branch(client, token_for, area["secretary"], area["member"], None)
    assert removed.status_code == 200 and removed.get_json()["branch_id"] is None


@pytest.mark.parametrize("body, field", [
    ({}, "branch_id"),
    ({"branch_id": "一"}, "branch_id"),
    ({"branch_id": 2**40}, "branch_id"),
    ({"branch_id": 999999}, "branch_id"),
])
def test_put_branch_refuses_bad_input(client, token_for, area, body, field):
    response = client.put(f"/api/v1/members/{area['member'].id}/branch", json=body,
                          headers=token_for(area["secretary"]))
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]


def test_put_branch_refusals(client, token_for, area, make_member):
    member = area["member"]
    elsewhere = put_branch(client, token_for, area["secretary"], member, area["elsewhere"].id)
    assert elsewhere.status_code == 400
    assert elsewhere.get_json()["error"]["fields"] == {
        "branch_id": "所选党组织不属于该党员的居住社区"}
    general = put_branch(client, token_for, area["secretary"], member, area["general"].id)
    assert general.status_code == 400
    other = put_branch(client, token_for, area["other_secretary"], member, area["branch"].id)
    assert other.status_code == 403
    own = put_branch(client, token_for, member, member, area["branch"].id)
    assert own.status_code == 403
    missing = client.put("/api/v1/members/999999/branch", json={"branch_id": None},
                         headers=token_for(area["secretary"]))
    assert missing.status_code == 404
    assert db.session.get(User, member.id).branch_id is None


def test_registration_takes_an_optional_branch_of_the_community(client, area, make_unit):
    unit = make_unit("南通市第二中学")
    body = {"name": "周荣祥", "phone": "13812345679", "password": "Zhou-2022-rx",
            "unit_id": unit.id, "community_id": area["park"].id, "privacy_consent": True}
    for branch, field in (
            (area["elsewhere"], "所选党组织不属于该党员的居住社区"),
            (area["general"], "党员只能编入功能型党支部或党小组，不能直接编入党总支")):
        refused = client.post("/api/v1/members/register", json={**body, "branch_id": branch.id})
        assert refused.status_code == 400
        assert refused.get_json()["error"]["fields"]["branch_id"] == field
    done = client.post("/api/v1/members/register",
                       json={**body, "branch_id": area["branch"].id})
    assert done.status_code == 201 and done.get_json()["branch_id"] == area["branch"].id


# the branch's members


def test_branch_members_for_each_role(client, token_for, area, make_member, make_staff,
                                      make_service):  # noqa: F811
    in_branch = make_member(area["park"], branch=area["branch"], name="陈静")
    in_group = make_member(area["park"], branch=area["group"], name="李明")
    make_member(area["park"], name="不在支部")
    make_service(in_branch, utcnow() - timedelta(minutes=5), minutes=150)
    branch_secretary = make_staff("branch_secretary", area["branch"])
    group_secretary = make_staff("branch_secretary", area["group"])
    for viewer, names in ((area["secretary"], ["李明", "陈静"]),
                          (branch_secretary, ["李明", "陈静"]),
                          (make_staff("branch_secretary", area["general"]), ["李明", "陈静"]),
                          (make_staff("district_admin"), ["李明", "陈静"]),
                          (group_secretary, None)):
        response = client.get(f"/api/v1/branches/{area['branch'].id}/members",
                              headers=token_for(viewer))
        if names is None:
            assert response.status_code == 403  # a 小组's secretary does not see the 支部
            continue
        body = response.get_json()
        assert response.status_code == 200 and body["total"] == 2
        assert sorted(item["name"] for item in body["items"]) == sorted(names)
    body = client.get(f"/api/v1/branches/{area['branch'].id}/members",
                      headers=token_for(branch_secretary)).get_json()
    chen = next(item for item in body["items"] if item["name"] == "陈静")
    assert chen["hours"] == 2.5 and chen["phone"] == in_branch.phone  # whole, to call
    assert chen["branch"] == "退休党员支部"
    li = next(item for item in body["items"] if item["name"] == "李明")
    assert li["hours"] == 0.0 and li["branch_id"] == area["group"].id
    assert body["period"].startswith(str(utcnow().year)) or "Q" in body["period"]
    found = client.get(f"/api/v1/branches/{area['branch'].id}/members?q=陈",
                       headers=token_for(branch_secretary)).get_json()
    assert [item["id"] for item in found["items"]] == [in_branch.id]
    own_group = client.get(f"/api/v1/branches/{area['group'].id}/members",
                           headers=token_for(group_secretary)).get_json()
    assert [item["id"] for item in own_group["items"]] == [in_group.id]


def test_branch_members_refusals(client, token_for, area, make_staff, make_member):
    url = f"/api/v1/branches/{area['branch'].id}/members"
    other_branch_secretary = make_staff("branch_secretary", area["elsewhere"])
    for viewer in (area["other_secretary"], other_branch_secretary, area["member"],
                   make_staff("street_reviewer", area["park"].street)):
        assert client.get(url, headers=token_for(viewer)).status_code == 403
    assert client.get(url).status_code == 401
    assert client.get("/api/v1/branches/999999/members",
                      headers=token_for(area["secretary"])).status_code == 404


# the pages


def test_the_secretary_places_a_member_on_the_member_page(client, login, area):
    login(area["secretary"])
    page = client.get(f"/members/{area['member'].id}").get_data(as_text=True)
    assert 'data-testid="member-branch"' in page and "退休党员第一小组" in page
    assert "公园社区功能型党总支（" not in page  # a 总支 is not offered
    done = client.post(f"/members/{area['member'].id}/branch",
                       data={"branch_id": area["branch"].id})
    assert done.status_code == 302
    assert db.session.get(User, area["member"].id).branch_id == area["branch"].id
    refused = client.post(f"/members/{area['member'].id}/branch",
                          data={"branch_id": area["elsewhere"].id})
    assert refused.status_code == 400
    assert "所选党组织不属于该党员的居住社区" in refused.get_data(as_text=True)
    removed = client.post(f"/members/{area['member'].id}/branch", data={"branch_id": ""})
    assert removed.status_code == 302
    assert db.session.get(User, area["member"].id).branch_id is None


def test_others_see_no_branch_form_and_cannot_post_it(client, login, area, make_staff):
    viewer = make_staff("district_admin")
    login(viewer)
    page = client.get(f"/members/{area['member'].id}").get_data(as_text=True)
    assert 'data-testid="member-branch"' not in page
    assert client.post(f"/members/{area['member'].id}/branch",
                       data={"branch_id": area["branch"].id}).status_code == 403
    client.post("/logout")
    login(area["other_secretary"])
    assert client.post(f"/members/{area['member'].id}/branch",
                       data={"branch_id": area["branch"].id}).status_code == 403


def test_the_branch_secretary_lists_their_members(client, login, area, make_staff, make_member):
    member = make_member(area["park"], branch=area["group"], name="陈静")
    secretary = make_staff("branch_secretary", area["branch"])
    login(secretary)
    mine = client.get("/branch")
    assert mine.status_code == 302 and mine.location.endswith(
        f"/branches/{area['branch'].id}/members")
    page = client.get(mine.location).get_data(as_text=True)
    assert "陈静" in page and f'href="tel:{member.phone}"' in page
    assert "顾丽" not in page  # not in the branch
    assert "陈静" not in client.get(mine.location + "?q=顾").get_data(as_text=True)
    assert client.get(f"/branches/{area['elsewhere'].id}/members").status_code == 403
    assert client.get(f"/members/{member.id}").status_code == 200  # a 小组 below the 支部


def test_the_profile_shows_the_branch_read_only(client, login, area):
    member = area["member"]
    member.branch_id = area["branch"].id
    db.session.commit()
    login(member)
    assert "退休党员支部" in client.get("/me").get_data(as_text=True)
    page = client.get("/me/profile").get_data(as_text=True)
    assert "退休党员支部" in page and 'name="branch_id"' not in page


def test_the_registration_page_offers_the_communitys_branches(client, area, make_unit):
    make_unit("南通市第二中学")
    data = {"name": "周荣祥", "phone": "13812345679", "password": "Zhou-2022-rx",
            "unit_name": "南通市第二中学", "community_id": area["park"].id,
            "branch_id": area["elsewhere"].id, "privacy_consent": "y"}
    refused = client.post("/register", data=data)
    assert "所选党组织不属于该党员的居住社区" in refused.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.phone == "13812345679")) is None
    done = client.post("/register", data={**data, "branch_id": area["group"].id})
    assert done.status_code == 302
    member = db.session.scalar(select(User).where(User.phone == "13812345679"))
    assert member.branch_id == area["group"].id and member.status == "pending"
    assert db.session.get(Branch, area["group"].id).community_id == area["park"].id
