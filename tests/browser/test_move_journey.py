"""A member moves house on a 390 px phone: 我的 → 搬家/更换单位 → confirm → pending in the new
community."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def moving(make_community, make_grid, make_unit, make_member, make_staff, release_db):
    park, happy = make_community("公园社区"), make_community("幸福社区")
    make_grid(park, "公园一村网格")
    make_grid(happy, "幸福一村网格")
    make_unit("南通市第二中学")
    make_unit("南通大学附属医院")
    member = make_member(community=park, name="顾丽", phone="13812345678")
    make_staff("community_secretary", scope=happy, name="朱振华")
    facts = {"member": member.phone, "happy": happy.full_name}
    release_db()
    return facts


def test_a_member_moves_house_and_is_pending_there(page, shoot, login_as, moving):
    login_as(page, moving["member"], PASSWORD)
    page.goto("/me")
    page.get_by_test_id("move-link").click()
    expect(page.get_by_role("heading", name="搬家 / 更换单位")).to_be_visible()
    shoot(page, "move-01-form")
    page.get_by_label("居住社区").select_option(label=moving["happy"])
    page.get_by_label("所在网格（可选）").select_option(label="幸福一村网格")
    page.get_by_label("工作单位").fill("南通大学附属医院")
    page.get_by_test_id("move-submit").click()  # the confirm() dialog is accepted
    expect(page.get_by_role("alert").first).to_contain_text("等待新社区书记审核")
    expect(page.locator("body")).to_contain_text("幸福社区")
    expect(page.locator("body")).to_contain_text("等待社区书记审核")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    shoot(page, "move-02-pending")
