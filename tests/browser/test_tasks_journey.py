"""服务项目 in a browser: post from a template, claim, check in and out, confirm, my service."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from tests.conftest import PASSWORD
from volunteer.core.time import to_local, utcnow
from volunteer.extensions import db
from volunteer.tasks.models import Claim, Task

pytestmark = pytest.mark.browser


@pytest.fixture
def park(make_street, make_community, make_staff, make_member, make_unit, release_db):
    """公园社区 with its secretary and one approved member."""
    community = make_community("公园社区", street=make_street("唐闸镇街道"))
    secretary = make_staff("community_secretary", scope=community, name="朱振华")
    member = make_member(community=community, unit=make_unit("南通市第二中学"), name="顾丽")
    facts = {"secretary": secretary.phone, "member": member.phone, "member_id": member.id}
    release_db()
    return facts


def local_input(moment) -> str:
    return to_local(moment).strftime("%Y-%m-%dT%H:%M")


def test_post_claim_check_in_out_confirm_and_see_hours(new_page, shoot, login_as, park, ctx,
                                                      release_db):
    secretary = new_page()
    login_as(secretary, park["secretary"], PASSWORD)
    secretary.get_by_test_id("nav-tasks").click()
    expect(secretary.get_by_role("heading", name=re.compile("服务项目"))).to_be_visible()
    shoot(secretary, "tasks-01-manage")
    secretary.get_by_test_id("template-checkpoint_duty").click()
    # the template fills the form; the duty starts in ten minutes, on the spot
    expect(secretary.get_by_label("名称")).to_have_value("卡口值守")
    expect(secretary.get_by_label("名额")).to_have_value("4")
    start = utcnow() + timedelta(minutes=10)
    secretary.get_by_label("地点").fill("公园一村北门卡口")
    secretary.get_by_label("开始时间").fill(local_input(start))
    secretary.get_by_label("结束时间").fill(local_input(start + timedelta(hours=2)))
    shoot(secretary, "tasks-02-new-from-template")
    secretary.get_by_test_id("save-task").click()
    expect(secretary.get_by_role("alert")).to_contain_text("服务项目已发布")
    task_url = secretary.url

    member = new_page()
    login_as(member, park["member"], PASSWORD)
    member.get_by_test_id("nav-tasks").click()
    card = member.locator(".task-card", has_text="卡口值守")
    expect(card).to_contain_text("剩余名额 4 / 4")
    shoot(member, "tasks-03-browse")
    card.click()
    member.get_by_test_id("claim").click()
    expect(member.get_by_role("alert")).to_contain_text("认领成功")
    expect(member.get_by_test_id("slots")).to_contain_text("已认领 1 / 4")
    member.get_by_test_id("check-in").click()
    expect(member.get_by_role("alert")).to_contain_text("签到成功")
    shoot(member, "tasks-04-checked-in")
    # before the start a check-out would record 0 h: the page says so instead of a button
    expect(member.get_by_test_id("check-out-later")).to_contain_text("开始后才能签退")
    db.session.execute(update(Task).values(starts_at=utcnow() - timedelta(minutes=5)))
    release_db()  # the duty has begun
    member.reload()
    member.get_by_test_id("check-out").click()
    expect(member.get_by_role("alert")).to_contain_text("签退成功")

    secretary.goto(task_url)
    secretary.get_by_test_id("roster").click()
    row = secretary.get_by_test_id(f"claim-{park['member_id']}")
    expect(row).to_contain_text("顾丽")
    expect(row).to_contain_text(park["member"])  # the secretary sees the whole phone
    row.get_by_test_id(f"hours-{park['member_id']}").fill("2")
    row.get_by_label("调整原因").fill("提前到岗布置卡口")
    row.get_by_test_id(f"quality-{park['member_id']}").select_option("5")  # no default rating
    shoot(secretary, "tasks-05-roster")
    row.get_by_test_id(f"confirm-{park['member_id']}").click()
    expect(secretary.get_by_role("alert")).to_contain_text("已确认服务时长")

    member.get_by_test_id("nav-my-service").click()
    expect(member.get_by_test_id("year-hours")).to_have_text("2.0")
    history = member.get_by_test_id("history")
    expect(history).to_contain_text("卡口值守")
    expect(history).to_contain_text("已调整")
    shoot(member, "tasks-06-my-service")
    member.get_by_test_id("certificate").click()
    expect(member.get_by_role("heading", name="志愿服务证明")).to_be_visible()
    expect(member.get_by_test_id("certificate-hours")).to_have_text("2.0")

    claim = db.session.scalar(db.select(Claim))
    assert claim.confirmed_minutes == 120 and claim.adjusted
    assert claim.adjust_reason == "提前到岗布置卡口"
    release_db()
