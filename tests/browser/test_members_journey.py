"""The secretary's member work in a real browser (desktop): search the queue, approve it in bulk,
open a member's record and read hours and services; the record also fits a phone."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.reports.conftest import make_service  # noqa: F401  (a fixture, shared)
from volunteer.auth.models import User
from volunteer.core.time import utcnow
from volunteer.extensions import db

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 860}
QUEUE = ("顾丽", "陈红", "王建国", "李娜", "张伟", "刘洋")


@pytest.fixture
def park(make_street, make_community, make_grid, make_unit, make_staff, make_member,
         make_service, release_db):  # noqa: F811
    street = make_street("唐闸镇街道")
    community = make_community("公园社区", street=street)
    grid = make_grid(community, "公园一村网格")
    school = make_unit("南通市第二中学")
    secretary = make_staff("community_secretary", scope=community, name="朱振华")
    for i, name in enumerate(QUEUE):
        make_member(community, status="pending", name=name, phone=f"1381234000{i}",
                    unit=school, grid=grid if i % 2 else None)
    served = make_member(community, name="周荣祥", phone="13912345678", unit=school, grid=grid,
                         skills=("legal",))
    now = utcnow()
    make_service(served, now - timedelta(hours=3), minutes=150, quality=5, satisfaction=5)
    make_service(served, now - timedelta(days=400), minutes=90, quality=4)
    facts = {"secretary": secretary.phone, "served": served.id}
    release_db()
    return facts


def test_secretary_searches_bulk_approves_and_reads_a_record(park, new_page, login_as, shoot):
    page = new_page(DESKTOP)
    login_as(page, park["secretary"], PASSWORD)
    page.goto("/members")
    expect(page.locator("tbody tr")).to_have_count(len(QUEUE))
    shoot(page, "members-01-queue")

    page.get_by_role("searchbox").fill("顾")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("顾丽")
    page.get_by_role("link", name="清除筛选").click()
    page.get_by_label("网格").select_option(label="公园一村网格")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("tbody tr")).to_have_count(3)
    shoot(page, "members-02-filtered")
    page.get_by_role("link", name="清除筛选").click()

    page.get_by_test_id("select-all").check()
    expect(page.locator("input[name=member_ids]:checked")).to_have_count(len(QUEUE))
    page.get_by_test_id("bulk-approve").click()  # the confirmation is accepted
    expect(page.get_by_role("alert").first).to_contain_text(f"已通过 {len(QUEUE)} 名党员的报到")
    expect(page.locator("tbody")).to_contain_text("暂无党员")
    shoot(page, "members-03-approved")

    page.get_by_role("link", name="已通过").click()
    page.get_by_role("searchbox").fill("13912345678")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="周荣祥").click()
    expect(page.get_by_test_id("quarter-hours")).to_have_text("2.5")
    expect(page.get_by_test_id("total-hours")).to_have_text("4.0")
    services = page.get_by_test_id("member-services")
    expect(services.locator("tbody tr")).to_have_count(2)
    expect(services).to_contain_text("卡口值守")
    expect(page.get_by_test_id("member-phone")).to_have_attribute("href", "tel:13912345678")
    expect(page.get_by_test_id("member-history")).to_contain_text("报到（注册）")
    shoot(page, "members-04-record")

    phone = new_page()
    login_as(phone, park["secretary"], PASSWORD)
    phone.goto(f"/members/{park['served']}")
    expect(phone.get_by_test_id("total-hours")).to_have_text("4.0")
    shoot(phone, "members-05-record")
    db.session.expire_all()
    assert all(u.status == "approved" for u in db.session.query(User).filter(
        User.name.in_(QUEUE)))
    db.session.remove()
