"""集结号 in a browser: a street reviewer sounds a call for a community, a member living there
answers, the secretary sees them on the live roster and gives them a post and a shift, the
member sees it, and the reviewer ends the call."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def hongqiao(make_street, make_community, make_grid, make_staff, make_member, release_db):
    street = make_street("虹桥街道")
    xinxi = make_community("新西社区", street=street)
    grid = make_grid(community=xinxi, name="虹桥北村网格")
    facts = {
        "reviewer": make_staff("street_reviewer", scope=street, name="虹桥街道党工委").phone,
        "secretary": make_staff("community_secretary", scope=xinxi, name="新西社区书记").phone,
        "member": make_member(community=xinxi, grid=grid, name="杜瑞山",
                              skills=("driving",)).phone,
        "other": make_member(community=xinxi, name="万娟").phone,
        "xinxi": xinxi.id,
    }
    make_community("新东社区", street=street)
    release_db()
    return facts


def test_call_answer_assign_and_close(new_page, shoot, login_as, hongqiao):
    reviewer = new_page()
    login_as(reviewer, hongqiao["reviewer"], PASSWORD)
    reviewer.get_by_test_id("nav-mobilisation").click()
    reviewer.get_by_test_id("new-mobilisation").click()
    reviewer.get_by_label("标题").fill("虹桥北村56幢临时管控集结")
    reviewer.get_by_label("集结令").fill("请到社区党群服务中心报到，接受社区党委的指挥调度。")
    reviewer.get_by_label("新西社区").check()
    reviewer.get_by_label("岗位及人数").fill("协助转运 2\n楼道消杀")  # the second line is bad
    reviewer.get_by_test_id("declare-submit").click()
    expect(reviewer.locator(".field.has-error")).to_contain_text("第 2 行应为")
    reviewer.get_by_label("岗位及人数").fill("协助转运 2\n楼道消杀 2")
    shoot(reviewer, "mobilisation-01-declare")
    reviewer.get_by_test_id("declare-submit").click()  # the confirm() dialog is accepted
    expect(reviewer.get_by_role("alert")).to_contain_text("已通知 2 名党员")
    expect(reviewer.get_by_test_id("count-reached")).to_have_text("2")
    call_url = reviewer.url

    member = new_page()
    login_as(member, hongqiao["member"], PASSWORD)
    member.get_by_test_id("nav-mobilisation").click()
    member.locator(".wish-card", has_text="虹桥北村56幢临时管控集结").click()
    member.get_by_label("备注（可选）").fill("今晚 8 点后可到")
    member.get_by_test_id("reply-reporting").click()
    expect(member.get_by_role("alert")).to_contain_text("已报到")
    expect(member.get_by_test_id("my-reply")).to_contain_text("等待社区安排岗位")
    shoot(member, "mobilisation-02-member")

    secretary = new_page()
    login_as(secretary, hongqiao["secretary"], PASSWORD)
    secretary.goto(call_url + "?show=unassigned")
    row = secretary.locator("tr", has_text="杜瑞山")
    expect(row).to_contain_text("今晚 8 点后可到")
    expect(row).to_contain_text("驾驶")
    row.locator("select[name=post_id]").select_option(label="协助转运")
    row.locator("input[name=shift]").fill("20:00–24:00")
    row.get_by_role("button", name="安排").click()
    expect(secretary.get_by_role("alert")).to_contain_text("岗位已安排")
    shoot(secretary, "mobilisation-03-roster")  # after the click: a full-page shot moves it
    secretary.goto(call_url)
    expect(secretary.locator("tr", has_text="协助转运").first).to_contain_text("1 / 2")

    member.reload()
    expect(member.get_by_test_id("my-reply")).to_contain_text("协助转运")
    expect(member.get_by_test_id("my-reply")).to_contain_text("20:00–24:00")

    reviewer.reload()
    expect(reviewer.get_by_test_id("count-reporting")).to_have_text("1")
    reviewer.get_by_test_id("close-mobilisation").click()
    expect(reviewer.get_by_role("alert")).to_contain_text("集结号已结束")
    member.reload()
    expect(member.get_by_test_id("reply-reporting")).to_have_count(0)
