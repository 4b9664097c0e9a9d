"""Each role's home in a browser: a member's first week on a phone (register with an e-mail,
approved, claim, check in and out, hours and rank on 我的), a grid worker's home on a phone, the
unit contact's and the branch secretary's homes on a desktop."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import DESKTOP
from tests.conftest import PASSWORD
from tests.reports.conftest import make_service  # noqa: F401, F811  (fixtures)
from volunteer.auth.models import User
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.tasks.models import Claim, Task

pytestmark = pytest.mark.browser

MEMBER_PASSWORD = "Hongqiao2026"


@pytest.fixture
def park(make_street, make_community, make_grid, make_unit, make_staff, make_branch,
         make_member, release_db):
    """公园社区 (one grid, one branch) with its secretary, grid worker and branch secretary, and
    a unit with its contact."""
    street = make_street("唐闸镇街道")
    community = make_community("公园社区", street=street)
    grid = make_grid(community, "公园一村网格")
    branch = make_branch(community, "为民功能型党支部")
    unit = make_unit("南通市第二中学")
    facts = {
        "community_id": community.id, "grid_id": grid.id, "branch_id": branch.id,
        "unit_id": unit.id,
        "secretary": make_staff("community_secretary", community, name="朱振华").phone,
        "worker": make_staff("grid_worker", grid, name="陈网格").phone,
        "branch_secretary": make_staff("branch_secretary", branch, name="吴支书").phone,
        "contact": make_staff("unit_contact", unit, name="钱联络").phone,
    }
    release_db()
    return facts


def _task(facts: dict, *, starts_in: timedelta, title: str) -> int:
    secretary = db.session.scalar(select(User).where(User.phone == facts["secretary"]))
    starts_at = utcnow() + starts_in
    task = Task(community_id=facts["community_id"], street_id=secretary.street_id,
                created_by_id=secretary.id, title=title, category="disinfection",
                location="公园一村3幢楼道", starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2), slots=4, status="open",
                published_at=utcnow())
    db.session.add(task)
    db.session.commit()
    return task.id


def test_a_members_first_week_on_a_phone(new_page, shoot, login_as, park, ctx, release_db):
    page = new_page()
    page.goto("/register")
    page.get_by_label("姓名").fill("顾丽")
    page.get_by_label("手机号").fill("13812345678")
    page.get_by_label("密码").fill(MEMBER_PASSWORD)
    page.get_by_label("邮箱（可选，用于接收提醒）").fill("guli@example.cn")
    page.get_by_label("工作单位").fill("南通市第二中学")
    page.get_by_label("居住社区").select_option(label="唐闸镇街道公园社区")
    page.get_by_test_id("privacy_consent").check()
    page.get_by_role("button", name="提交报到").click()
    expect(page).to_have_url(re.compile(r"/login$"))

    # while pending, the home says what happens next
    login_as(page, "13812345678", MEMBER_PASSWORD)
    expect(page).to_have_url(re.compile(r"/me$"))
    expect(page.locator("main")).to_contain_text("您的报到正在等待社区书记审核")
    expect(page.get_by_test_id("standing")).to_have_count(0)
    shoot(page, "home-01-member-pending")

    # the secretary approves (set up here); a task starts in ten minutes
    from volunteer.members.services import approve_member

    member = db.session.scalar(select(User).where(User.phone == "13812345678"))
    assert member.email == "guli@example.cn"
    secretary = db.session.scalar(select(User).where(User.phone == park["secretary"]))
    approve_member(secretary, member)
    db.session.commit()
    task_id = _task(park, starts_in=timedelta(minutes=10), title="楼道消杀")
    release_db()

    page.goto("/me")
    expect(page.get_by_test_id("standing-rank")).to_have_text("未参与")
    shoot(page, "home-02-member-approved")
    page.get_by_test_id("nav-tasks").click()
    page.locator(".task-card", has_text="楼道消杀").click()
    page.get_by_test_id("claim").click()
    expect(page.get_by_role("alert")).to_contain_text("认领成功")
    page.goto("/me")
    expect(page.get_by_test_id("todo-next_service")).to_contain_text("楼道消杀")
    shoot(page, "home-03-member-next-service")

    # the service began an hour ago: its window is open now
    task = db.session.get(Task, task_id)
    task.starts_at, task.ends_at = utcnow() - timedelta(hours=1), utcnow() + timedelta(hours=1)
    db.session.commit()
    release_db()
    page.get_by_test_id("todo-next_service").click()
    page.get_by_test_id("check-in").click()
    expect(page.get_by_role("alert")).to_contain_text("签到成功")
    page.goto("/me")
    expect(page.get_by_test_id("todo-check_out")).to_be_visible()
    shoot(page, "home-04-member-checked-in")

    claim = db.session.scalar(select(Claim).where(Claim.task_id == task_id))
    claim.checked_in_at = utcnow() - timedelta(minutes=60)  # an hour of service
    db.session.commit()
    release_db()
    page.get_by_test_id("todo-check_out").click()
    page.get_by_test_id("check-out").click()
    expect(page.get_by_role("alert")).to_contain_text("签退成功")

    # the secretary confirms (set up here): the hours and the rank follow on the home
    from volunteer.tasks.services import confirm_claim

    secretary = db.session.scalar(select(User).where(User.phone == park["secretary"]))
    confirm_claim(secretary, db.session.scalar(select(Claim).where(Claim.task_id == task_id)),
                  quality=5)
    db.session.commit()
    release_db()
    page.goto("/me")
    expect(page.get_by_test_id("standing-hours")).to_have_text("1.0")
    expect(page.get_by_test_id("standing-services")).to_have_text("1")
    expect(page.get_by_test_id("standing-rank")).to_contain_text("第 1 名")
    expect(page.get_by_test_id("todo-check_out")).to_have_count(0)
    shoot(page, "home-05-member-rank")
    page.get_by_test_id("nav-my-service").click()
    expect(page.get_by_test_id("standing-rank")).to_contain_text("第 1 名")
    shoot(page, "home-06-my-service")


def test_grid_workers_home_on_a_phone(new_page, shoot, login_as, park, make_member, ctx,
                                      release_db):
    from volunteer.requests import services as requests

    requests.submit_request(ip="10.1.2.3", website=None, name="王阿姨", phone="13800001111",
                            category="repair", description="厨房水龙头漏水，家里只有老人",
                            address="公园一村8幢201室", privacy_consent=True,
                            community_id=park["community_id"])
    db.session.commit()
    release_db()
    page = new_page()
    login_as(page, park["worker"], PASSWORD)
    expect(page).to_have_url(re.compile(r"/home$"))
    item = page.get_by_test_id("todo-requests_to_accept")
    expect(item).to_contain_text("待网格接单的居民点单")
    expect(item).to_contain_text("1")
    expect(page.get_by_test_id("responsibility")).to_contain_text("公园一村网格")
    shoot(page, "home-07-grid-worker")
    item.click()
    expect(page.locator("main")).to_contain_text("厨房水龙头漏水")


@pytest.fixture
def served(park, make_member, make_service, ctx, release_db):  # noqa: F811
    """Two members of the unit and the branch; one served this quarter."""
    from volunteer.orgs.models import Branch, Community, Unit

    community = db.session.get(Community, park["community_id"])
    unit, branch = db.session.get(Unit, park["unit_id"]), db.session.get(Branch, park["branch_id"])
    active = make_member(community, unit=unit, branch=branch, name="顾丽")
    make_member(community, unit=unit, branch=branch, name="周荣祥")
    make_service(active, utcnow() - timedelta(hours=1), minutes=120)
    release_db()
    return park


def test_unit_contacts_home_on_a_desktop(new_page, shoot, login_as, served):
    page = new_page(DESKTOP)
    login_as(page, served["contact"], PASSWORD)
    expect(page).to_have_url(re.compile(r"/home$"))
    expect(page.get_by_test_id("todo-members_inactive")).to_contain_text("1")
    expect(page.get_by_test_id("figure-active")).to_have_text("1")
    expect(page.get_by_test_id("figure-hours")).to_have_text("2.0")
    shoot(page, "home-08-unit-contact")
    page.get_by_test_id("responsibility-link").click()
    expect(page).to_have_url(re.compile(rf"/review/unit/{served['unit_id']}"))
    expect(page.locator("main")).to_contain_text("顾丽")


def test_branch_secretarys_home_on_a_desktop(new_page, shoot, login_as, served):
    page = new_page(DESKTOP)
    login_as(page, served["branch_secretary"], PASSWORD)
    expect(page).to_have_url(re.compile(r"/home$"))
    expect(page.get_by_test_id("responsibility")).to_contain_text("为民功能型党支部")
    expect(page.get_by_test_id("figure-approved")).to_have_text("2")
    shoot(page, "home-09-branch-secretary")
    page.get_by_test_id("todo-members_inactive").click()
    expect(page).to_have_url(re.compile(rf"/review/branch/{served['branch_id']}"))
    expect(page.locator("main")).to_contain_text("周荣祥")
