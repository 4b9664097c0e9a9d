"""居民点单 in a browser: a resident submits on the public page and follows the request through
网格接单 → 社区派单 → 党员接单 → 完成, then rates it with the tracking code."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def xindong(make_street, make_community, make_grid, make_staff, make_member, make_unit,
            release_db):
    """新东社区 with a secretary, a grid worker and a member who repairs things."""
    community = make_community("新东社区", street=make_street("虹桥街道"))
    grid = make_grid(community=community, name="第二网格")
    facts = {
        "community": community.full_name,
        "secretary": make_staff("community_secretary", scope=community, name="陆书记").phone,
        "worker": make_staff("grid_worker", scope=grid, name="周网格").phone,
        "member": make_member(community=community, grid=grid, skills=("repair",),
                              unit=make_unit("南通供电公司"), name="孙师傅").phone,
    }
    release_db()
    return facts


def expect_steps(page, *labels: str) -> None:
    steps = page.locator("ol.steps li")
    expect(steps).to_have_count(len(labels))
    for index, label in enumerate(labels):
        expect(steps.nth(index)).to_contain_text(label)


def test_submit_track_through_four_steps_and_rate(new_page, shoot, login_as, xindong):
    resident = new_page()
    resident.goto("/")
    resident.get_by_test_id("nav-request-new").click()
    resident.get_by_label("您的称呼").fill("王阿姨")
    resident.get_by_label("手机号").fill("13800001111")
    resident.get_by_label("所在社区").select_option(label=xindong["community"])
    resident.get_by_label("地址").fill("新东小区8幢201室")
    resident.get_by_label("需要什么帮助").select_option(label="水电维修")
    resident.get_by_label("具体说明").fill("厨房水龙头漏水，家里只有老人")
    resident.get_by_test_id("privacy_consent").check()
    shoot(resident, "requests-01-submit")
    resident.get_by_test_id("submit-request").click()
    expect(resident.get_by_role("alert")).to_contain_text("点单已提交")
    code = resident.get_by_test_id("tracking-code").inner_text()
    assert len(code) == 8
    expect(resident.get_by_test_id("request-status")).to_have_text("待网格接单")
    expect_steps(resident, "居民点单")
    shoot(resident, "requests-02-tracking-code")

    worker = new_page()
    login_as(worker, xindong["worker"], PASSWORD)
    worker.get_by_test_id("nav-requests").click()
    worker.get_by_role("link", name="厨房水龙头漏水").click()
    expect(worker.get_by_test_id("resident")).to_have_text("王阿姨")
    worker.get_by_test_id("accept").click()
    expect(worker.get_by_role("alert")).to_contain_text("已接单")
    request_url = worker.url

    resident.reload()
    expect_steps(resident, "居民点单", "网格接单")

    secretary = new_page()
    login_as(secretary, xindong["secretary"], PASSWORD)
    secretary.get_by_test_id("nav-requests").click()
    secretary.get_by_role("link", name="待派单").click()
    secretary.get_by_role("link", name="厨房水龙头漏水").click()
    row = secretary.locator("tr", has_text="孙师傅")
    expect(row).to_contain_text("专长匹配")
    expect(row).to_contain_text("同网格")
    shoot(secretary, "requests-03-dispatch")
    row.get_by_role("button", name="派单").click()
    expect(secretary.get_by_role("alert")).to_contain_text("已派单")

    resident.reload()
    expect_steps(resident, "居民点单", "网格接单", "社区派单")

    member = new_page()
    login_as(member, xindong["member"], PASSWORD)
    member.get_by_test_id("nav-requests").click()
    member.get_by_role("link", name="厨房水龙头漏水").click()
    expect(member.get_by_test_id("resident")).to_have_text("王阿姨")
    expect(member.locator("main")).to_contain_text("新东小区8幢201室")
    member.get_by_test_id("take").click()
    expect(member.get_by_role("alert")).to_contain_text("已接单")
    resident.reload()
    expect_steps(resident, "居民点单", "网格接单", "社区派单", "党员接单")
    expect(resident.locator("main")).to_contain_text("服务党员：孙**")
    member.get_by_label("服务情况").fill("更换了水龙头阀芯，已不再漏水")
    shoot(member, "requests-04-member")
    member.get_by_test_id("complete").click()
    expect(member.get_by_role("alert")).to_contain_text("已完成")

    # a new visit: the resident looks the request up with the code and the phone
    visitor = new_page()
    visitor.goto("/requests/track")
    visitor.get_by_label("查询码").fill(code)
    visitor.get_by_label("点单时填写的手机号").fill("13900000000")
    visitor.get_by_test_id("track").click()
    expect(visitor.locator(".error")).to_contain_text("查询码或手机号不正确")
    visitor.get_by_label("点单时填写的手机号").fill("13800001111")
    visitor.get_by_test_id("track").click()
    expect(visitor.get_by_test_id("request-status")).to_have_text("已完成")
    expect_steps(visitor, "居民点单", "网格接单", "社区派单", "党员接单", "服务完成")
    visitor.get_by_label("满意度").select_option("5")
    visitor.get_by_label("评价").fill("师傅很负责，谢谢！")
    shoot(visitor, "requests-05-rate")
    visitor.get_by_test_id("rate").click()
    expect(visitor.get_by_role("alert")).to_contain_text("感谢您的评价")
    expect(visitor.get_by_test_id("rating")).to_contain_text("5 分")
    shoot(visitor, "requests-06-rated")

    worker.goto(request_url)
    expect(worker.get_by_test_id("rating")).to_contain_text("5 分")
    expect(worker.get_by_test_id("request-status")).to_have_text("已完成")


def test_rejected_request_shows_the_reason(new_page, shoot, login_as, xindong):
    resident = new_page()
    resident.goto("/requests/new")
    resident.get_by_label("您的称呼").fill("陈先生")
    resident.get_by_label("手机号").fill("13800002222")
    resident.get_by_label("所在社区").select_option(label=xindong["community"])
    resident.get_by_label("地址").fill("新东小区1幢")
    resident.get_by_label("需要什么帮助").select_option(label="其他")
    resident.get_by_test_id("privacy_consent").check()
    resident.get_by_test_id("submit-request").click()
    expect(resident.locator(".field.has-error")).to_contain_text("请说明需要什么帮助")
    resident.get_by_label("具体说明").fill("想办理房产过户")
    resident.get_by_test_id("submit-request").click()
    expect(resident.get_by_role("alert")).to_contain_text("点单已提交")

    worker = new_page()
    login_as(worker, xindong["worker"], PASSWORD)
    worker.get_by_test_id("nav-requests").click()
    worker.get_by_role("link", name="想办理房产过户").click()
    worker.get_by_label("原因").fill("请到不动产登记中心办理，社区可协助预约")
    worker.get_by_test_id("reject").click()

    resident.reload()
    expect(resident.get_by_test_id("request-status")).to_have_text("未受理")
    expect(resident.locator("main")).to_contain_text("请到不动产登记中心办理")
    shoot(resident, "requests-07-rejected")
