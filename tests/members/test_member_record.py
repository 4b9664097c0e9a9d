"""The member record (党员档案): hours, services, ratings, commendations, micro-wishes, history,
tap-to-call — and who may see which part."""

from datetime import timedelta

import pytest

from volunteer.audit.services import record_action
from volunteer.core.periods import containing, local_date
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.members.record import member_record


@pytest.fixture
def served(make_community, make_grid, make_unit, make_branch, make_member, make_service):
    """A member with two confirmed services (one this quarter, one long ago), a no-show,
    one rating and an approval in the audit log."""
    community = make_community("公园社区")
    grid, unit = make_grid(community, "公园一村网格"), make_unit("南通市第二中学")
    branch = make_branch(community, "公园社区第一党支部")
    member = make_member(community, unit=unit, grid=grid, branch=branch, name="顾丽",
                         phone="13812345678")
    now = utcnow()
    quarter = containing("quarter", local_date(now))
    recent = max(now - timedelta(hours=2), quarter.start_utc + timedelta(hours=3))
    make_service(member, recent, minutes=150, quality=4, satisfaction=5)
    make_service(member, quarter.start_utc - timedelta(days=200), minutes=60)
    make_service(member, recent - timedelta(hours=5), minutes=60, no_show=True,
                 confirmed=False)
    record_action(None, "approve_member", member)
    db.session.commit()
    return {"member": member, "community": community, "grid": grid, "unit": unit,
            "branch": branch}


def test_record_counts_confirmed_hours_this_quarter_and_in_all(served, make_staff):
    secretary = make_staff("community_secretary", served["community"])
    record = member_record(secretary, served["member"])
    assert record["hours_quarter"] == {"services": 1, "hours": 2.5}
    assert record["hours_total"] == {"services": 2, "hours": 3.5}
    assert record["ratings"]["count"] == 1 and record["ratings"]["average"] == 5.0
    assert record["wishes_fulfilled"] == 0
    assert len(list(db.session.scalars(record["claims_stmt"]))) == 3  # the no-show listed too
    assert [h["action"] for h in record["history"]] == ["approve_member", "register"]


@pytest.mark.parametrize("role, scope, history", [
    ("community_secretary", "community", True),
    ("grid_worker", "grid", False),
    ("branch_secretary", "branch", False),
    ("unit_contact", "unit", False),
    ("street_reviewer", "street", True),
    ("district_admin", None, True),
])
def test_scoped_staff_see_the_record_history_only_where_allowed(served, make_staff, role,
                                                                 scope, history):
    scopes = {**served, "street": served["community"].street}
    viewer = make_staff(role, scopes.get(scope))
    record = member_record(viewer, served["member"])
    assert record["hours_total"]["services"] == 2
    assert (record["history"] is not None) is history


def test_secretary_page_shows_hours_services_and_tap_to_call(served, client, login,
                                                             make_staff):
    login(make_staff("community_secretary", served["community"]))
    html = client.get(f"/members/{served['member'].id}").get_data(as_text=True)
    assert 'href="tel:13812345678"' in html
    assert 'data-testid="quarter-hours">2.5<' in html and 'data-testid="total-hours">3.5<' in html
    assert "卡口值守" in html and "★★★★" in html and "缺席" in html
    assert "档案记录" in html and "审核通过" in html and "报到（注册）" in html


def test_unit_contact_sees_masked_phone_and_no_history(served, client, login, make_staff):
    login(make_staff("unit_contact", served["unit"]))
    html = client.get(f"/members/{served['member'].id}").get_data(as_text=True)
    assert "tel:" not in html and "138****5678" in html
    assert 'data-testid="total-hours">3.5<' in html and "档案记录" not in html


def test_record_denied_outside_the_scope(served, client, make_staff, make_community,
                                         make_unit, token_for, login):
    member_id = served["member"].id
    for viewer in (make_staff("community_secretary", make_community()),
                   make_staff("unit_contact", make_unit())):
        assert client.get(f"/api/v1/members/{member_id}/record",
                          headers=token_for(viewer)).status_code == 403
    other = make_staff("grid_worker", served["grid"])
    assert client.get("/api/v1/members/999999/record",
                      headers=token_for(other)).status_code == 404
    # the member reads their own service on 我的服务, not as a record
    assert client.get(f"/api/v1/members/{member_id}/record",
                      headers=token_for(served["member"])).status_code == 403


def test_record_api_shape(served, client, make_staff, token_for):
    secretary = make_staff("community_secretary", served["community"])
    body = client.get(f"/api/v1/members/{served['member'].id}/record",
                      headers=token_for(secretary)).get_json()
    assert body["member"]["phone"] == "13812345678" and body["member"]["active"] is True
    assert body["hours_total"] == {"services": 2, "hours": 3.5}
    assert body["services_total"] == 3 and body["services"][0]["title"] == "卡口值守"
    assert body["ratings"] == {"count": 1, "average": 5.0}
    assert body["history"][0]["label"] == "审核通过"
    worker = make_staff("grid_worker", served["grid"])
    assert client.get(f"/api/v1/members/{served['member'].id}/record",
                      headers=token_for(worker)).get_json()["history"] is None


def test_services_are_paginated(served, client, login, make_staff, make_service):
    for day in range(12):
        make_service(served["member"], utcnow() - timedelta(days=400 + day), minutes=30)
    login(make_staff("community_secretary", served["community"]))
    first = client.get(f"/members/{served['member'].id}").get_data(as_text=True)
    assert "第 1 / 2 页，共 15 条" in first
    second = client.get(f"/members/{served['member'].id}?page=2").get_data(as_text=True)
    assert "第 2 / 2 页" in second
