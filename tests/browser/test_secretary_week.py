"""A secretary's week on a desktop (issue 13, items 7 and 9): post a series and see it as one
row, search the list, confirm a task's hours all at once after a refused row kept what was
typed; a member on a phone who checks in early is told check-out waits for the start (item 8).
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from volunteer.core.time import to_local, utcnow
from volunteer.extensions import db
from volunteer.tasks import services
from volunteer.tasks.models import Claim

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def week(make_street, make_community, make_staff, make_member, release_db):
    """公园社区: its secretary, a duty that ended an hour ago with three members checked out,
    and a duty starting in 15 minutes one member has checked in to."""
    community = make_community("公园社区", street=make_street("唐闸镇街道"))
    secretary = make_staff("community_secretary", scope=community, name="朱振华")
    names = ("顾丽", "陈建国", "王芳")
    members = [make_member(community=community, name=name) for name in names]
    start = utcnow() - timedelta(hours=4)
    done = services.create_task(
        secretary, title="垃圾分类引导", category="garbage", location="公园一村 3 号门",
        slots=5, starts_at=start, ends_at=start + timedelta(hours=3),
        now=start - timedelta(days=1))
    for member, minutes in zip(members, (180, 150, 120), strict=True):
        services.claim_task(member, done, now=start - timedelta(hours=5))
        services.check_in(member, done, now=start)
        services.check_out(member, done, now=start + timedelta(minutes=minutes))
    soon = utcnow() + timedelta(minutes=15)
    early = services.create_task(
        secretary, title="楼道消杀", category="disinfection", location="公园二村 5 幢",
        slots=3, starts_at=soon, ends_at=soon + timedelta(hours=2))
    services.claim_task(members[0], early)
    services.check_in(members[0], early)
    db.session.commit()
    facts = {"secretary": secretary.phone, "member": members[0].phone, "done": done.id,
             "early": early.id, "ids": [m.id for m in members]}
    release_db()
    return facts


def test_secretary_posts_a_series_searches_and_confirms_all(new_page, shoot, login_as, week,
                                                             ctx, release_db):
    page = new_page(DESKTOP)
    login_as(page, week["secretary"], PASSWORD)
    page.goto("/tasks/series/new?template=checkpoint_duty")
    page.get_by_label("地点").fill("公园一村北门卡口")
    first = (to_local(utcnow()) + timedelta(days=1)).date()
    page.get_by_label("第一天").fill(first.isoformat())
    page.get_by_label("连续天数").fill("14")
    shoot(page, "week-01-series-form")
    page.get_by_role("button", name="生成").click()
    expect(page.get_by_role("alert")).to_contain_text("已生成 14 个服务项目")
    # fourteen duties are one row, with their count and the next date
    rows = page.locator("tbody tr", has_text="卡口值守")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("重复排班，共 14 场")
    expect(rows).to_contain_text("下一场")
    shoot(page, "week-02-list-grouped")

    page.get_by_test_id("task-filters-q").fill("垃圾")
    page.get_by_test_id("task-filters-submit").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("垃圾分类引导")
    page.goto("/tasks")
    page.get_by_test_id("filter-pending").check()
    page.get_by_test_id("task-filters-submit").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    shoot(page, "week-03-pending-filter")
    page.locator("tbody tr").get_by_role("link", name="名单").click()

    # one row refused: what was typed stays, the error sits on that row
    first_id = week["ids"][0]
    form = page.get_by_test_id(f"confirm-form-{first_id}")
    form.get_by_test_id(f"hours-{first_id}").fill("2")
    form.get_by_test_id(f"quality-{first_id}").select_option("4")
    form.get_by_test_id(f"confirm-{first_id}").click()
    form = page.get_by_test_id(f"confirm-form-{first_id}")
    expect(form.get_by_test_id("row-error")).to_contain_text("调整服务时长须说明原因")
    expect(form.get_by_test_id(f"hours-{first_id}")).to_have_value("2")
    expect(form.get_by_test_id(f"quality-{first_id}")).to_have_value("4")
    shoot(page, "week-04-row-error")

    bulk = page.get_by_test_id("confirm-all-form")
    expect(bulk).to_contain_text("已签退待确认 3 人，合计 7.5 小时")
    expect(page.get_by_test_id("confirm-all-quality")).to_have_value("")
    page.get_by_test_id("confirm-all-quality").select_option("5")
    shoot(page, "week-05-confirm-all")
    page.get_by_test_id("confirm-all").click()
    expect(page.get_by_role("alert")).to_contain_text("已全部按上报时长确认")
    expect(page.get_by_test_id("confirm-all-form")).to_have_count(0)
    shoot(page, "week-06-confirmed")
    minutes = sorted(db.session.scalars(db.select(Claim.confirmed_minutes)
                                        .where(Claim.task_id == week["done"])))
    assert minutes == [120, 150, 180]
    release_db()

    # series-wide cancel, after the confirmation dialog (accepted by the fixture)
    page.goto("/tasks")
    page.locator("tbody tr", has_text="卡口值守").get_by_role("link", name="查看全部").click()
    expect(page.get_by_test_id("series-panel")).to_contain_text("共 14 场，尚未开始 14 场")
    page.get_by_test_id("cancel-series-open").click()
    page.get_by_test_id("series-reason").fill("寒潮预警，卡口改为值班室值守")
    shoot(page, "week-07-series-cancel")
    page.get_by_test_id("cancel-series").click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile("已取消尚未开始的 14 个"))


def test_member_checked_in_early_is_told_check_out_waits(new_page, shoot, login_as, week):
    page = new_page()
    login_as(page, week["member"], PASSWORD)
    page.goto(f"/tasks/{week['early']}")
    expect(page.get_by_test_id("check-out-later")).to_contain_text("开始后才能签退")
    expect(page.get_by_test_id("check-out")).to_have_count(0)
    shoot(page, "week-08-member-too-early")
    page.goto("/tasks?q=消杀")
    expect(page.locator(".task-card", has_text="楼道消杀")).to_be_visible()
    shoot(page, "week-09-member-search")
