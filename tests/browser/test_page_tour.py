"""Every main page of the demo district, on a phone and on a desktop, screenshotted.

The tour fails on console errors (CSP violations, missing assets, script errors) and on pages
that scroll sideways; the screenshots in tests/browser/screenshots/ are for people to look at.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from volunteer.auth.models import User
from volunteer.extensions import db
from volunteer.seed.demo import DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.browser

ADMIN, SECRETARY, MEMBER = "13900000000", "13900000001", "13800000001"


@pytest.fixture
def demo(ctx, release_db):
    """The demo district of ``volunteer demo``; returns the id of a pending member of 公园社区."""
    assert load_demo()
    db.session.commit()
    pending = db.session.scalar(db.select(User.id).where(
        User.status == "pending", User.community.has(name="公园社区")))
    release_db()
    return pending


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_tour(new_page, login_as, shoot, demo, viewport):
    page = new_page(viewport)
    for path, name, heading in [("/", "landing", "双报到·通通在"),
                                ("/register", "register", "在职党员报到"),
                                ("/login", "login", "登录")]:
        page.goto(path)
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        shoot(page, f"tour-{name}")

    login_as(page, SECRETARY, DEMO_PASSWORD)
    shoot(page, "tour-secretary-home")
    page.get_by_test_id("todo-approvals").click()  # the home's to-do list leads to the queue
    expect(page.get_by_role("row")).not_to_have_count(0)
    shoot(page, "tour-secretary-queue")
    page.goto(f"/members/{demo}")
    expect(page.get_by_role("button", name="通过报到")).to_be_visible()
    shoot(page, "tour-secretary-detail")
    page.get_by_role("button", name="通过报到").click()
    expect(page.get_by_role("alert")).to_contain_text("的报到")
    page.goto("/inbox")
    shoot(page, "tour-secretary-inbox")
    page.get_by_role("button", name="退出").click()

    login_as(page, ADMIN, DEMO_PASSWORD)
    for path, name, heading in [("/admin/", "admin-overview", "组织架构"),
                                ("/admin/streets", "admin-streets", "街道"),
                                ("/admin/communities", "admin-communities", "社区"),
                                ("/admin/grids", "admin-grids", "网格"),
                                ("/admin/units", "admin-units", "单位"),
                                ("/admin/branches", "admin-branches", "功能型党组织"),
                                ("/admin/staff", "admin-staff", "工作人员账号"),
                                ("/admin/staff?role=grid_worker", "admin-new-staff", "工作人员"),
                                ("/admin/audit", "admin-audit", "操作日志"),
                                ("/members?status=all", "admin-members", "党员报到")]:
        page.goto(path)
        expect(page.get_by_role("heading", name=heading).first).to_be_visible()
        shoot(page, f"tour-{name}")
    page.get_by_role("button", name="退出").click()

    login_as(page, MEMBER, DEMO_PASSWORD)
    expect(page.locator("main")).to_contain_text("已亮身份")
    shoot(page, "tour-member-me")
    page.goto("/me/profile")
    shoot(page, "tour-member-profile")
    page.goto("/inbox")
    expect(page.get_by_test_id("notification")).not_to_have_count(0)
    shoot(page, "tour-member-inbox")
    page.goto("/account/password")
    shoot(page, "tour-member-password")
