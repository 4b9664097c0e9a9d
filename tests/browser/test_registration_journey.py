"""报到 and 亮身份 in a real browser: register, approve or reject, read the outcome in the inbox."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from volunteer.auth.models import User
from volunteer.extensions import db

pytestmark = pytest.mark.browser

MEMBER_PASSWORD = "Hongqiao2026"


@pytest.fixture
def district(make_street, make_community, make_grid, make_unit, make_staff, release_db):
    """公园社区 with two grids, another community, two units and both secretaries."""
    street = make_street("唐闸镇街道")
    park = make_community("公园社区", street=street)
    make_grid(park, "公园一村网格")
    make_grid(park, "红色工匠网格")
    other = make_community("新西社区", street=make_street("虹桥街道"))
    make_grid(other, "虹桥北村网格")
    make_unit("南通市第二中学")
    make_unit("南通市第二人民医院", kind="hospital")
    secretary = make_staff("community_secretary", scope=park, name="朱振华")
    other_secretary = make_staff("community_secretary", scope=other, name="新西社区书记")
    facts = {"secretary_phone": secretary.phone, "other_secretary_phone": other_secretary.phone}
    release_db()
    return facts


def register(page, shoot, *, name: str, phone: str) -> None:
    """Fill in the registration page as a member on a phone would."""
    page.goto("/")
    shoot(page, "01-landing")
    page.get_by_role("link", name="在职党员报到").first.click()
    expect(page.get_by_role("heading", name="在职党员报到")).to_be_visible()
    page.get_by_label("姓名").fill(name)
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(MEMBER_PASSWORD)
    unit = page.get_by_label("工作单位")
    unit.press_sequentially("第二中学", delay=20)
    # the unit field suggests matching units as one types
    expect(page.locator('#unit-options option[value="南通市第二中学"]')).to_be_attached()
    unit.fill("南通市第二中学")
    page.get_by_label("居住社区").select_option(label="唐闸镇街道公园社区")
    # the grid picker follows the community picker
    page.get_by_label("所在网格").select_option(label="红色工匠网格")
    page.get_by_label("法律").check()
    page.get_by_label("调解").check()
    page.get_by_test_id("privacy_consent").check()
    shoot(page, "02-register")
    page.get_by_role("button", name="提交报到").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("alert")).to_contain_text("报到已提交")


def test_member_registers_secretary_approves_member_sees_it(new_page, shoot, login_as, district,
                                                           ctx, release_db):
    member_page = new_page()
    register(member_page, shoot, name="顾丽", phone="13812345678")
    shoot(member_page, "03-login")

    # a secretary of another community does not see the registration
    other = new_page()
    login_as(other, district["other_secretary_phone"], PASSWORD)
    expect(other.get_by_test_id("todo-approvals")).to_have_count(0)
    other.goto("/members")
    expect(other.locator("main")).not_to_contain_text("顾丽")

    secretary = new_page()
    login_as(secretary, district["secretary_phone"], PASSWORD)
    # the secretary's home lists the registration waiting for her
    expect(secretary.get_by_test_id("todo-approvals")).to_contain_text("1")
    secretary.get_by_test_id("todo-approvals").click()
    expect(secretary).to_have_url(re.compile(r"/members"))
    row = secretary.locator("tr", has_text="顾丽")
    expect(row).to_contain_text("待审核")
    expect(row).to_contain_text("南通市第二中学")
    expect(row).to_contain_text("红色工匠网格")
    expect(row).to_contain_text("法律")
    shoot(secretary, "04-approval-queue")
    row.get_by_role("link", name="顾丽").click()
    expect(secretary.get_by_role("heading", name="顾丽")).to_be_visible()
    expect(secretary.locator("main")).to_contain_text("13812345678")
    shoot(secretary, "05-member-detail")
    secretary.go_back()
    secretary.locator("tr", has_text="顾丽").get_by_role("button", name="通过").click()
    expect(secretary.get_by_role("alert")).to_contain_text("已通过 顾丽 的报到")
    expect(secretary.locator("tr", has_text="顾丽")).to_have_count(0)

    login_as(member_page, "13812345678", MEMBER_PASSWORD)
    expect(member_page.locator("main")).to_contain_text("已亮身份")
    member_page.get_by_role("link", name="消息").click()
    expect(member_page).to_have_url(re.compile(r"/inbox$"))
    item = member_page.get_by_test_id("notification").first
    expect(item).to_contain_text("报到审核已通过")
    expect(item).to_contain_text("公园社区")
    shoot(member_page, "06-inbox")

    member = db.session.scalar(db.select(User).where(User.phone == "13812345678"))
    assert member.status == "approved"
    assert member.unit.name == "南通市第二中学"
    assert member.grid.name == "红色工匠网格"
    assert sorted(member.skill_tags) == ["legal", "mediation"]
    release_db()


def test_secretary_rejects_with_reason_member_sees_it(new_page, shoot, login_as, district):
    member_page = new_page()
    register(member_page, shoot, name="周荣祥", phone="13887654321")

    secretary = new_page({"width": 1280, "height": 860})
    login_as(secretary, district["secretary_phone"], PASSWORD)
    secretary.get_by_test_id("todo-approvals").click()
    secretary.locator("tr", has_text="周荣祥").get_by_role("link", name="退回").click()
    # an empty reason is refused, with the error next to the field
    secretary.get_by_role("button", name="退回").click()
    expect(secretary.locator(".field.has-error")).to_contain_text("请填写原因")
    secretary.get_by_label("不通过原因").fill("居住地址不在本社区，请向实际居住的社区报到")
    shoot(secretary, "07-reject")
    secretary.get_by_role("button", name="退回").click()
    expect(secretary.get_by_role("alert")).to_contain_text("已退回 周荣祥 的报到")
    secretary.get_by_role("link", name="未通过").click()
    expect(secretary.locator("tr", has_text="周荣祥")).to_contain_text("未通过")

    login_as(member_page, "13887654321", MEMBER_PASSWORD)
    expect(member_page.locator("main")).to_contain_text("居住地址不在本社区")
    member_page.goto("/inbox")
    item = member_page.get_by_test_id("notification").first
    expect(item).to_contain_text("报到审核未通过")
    expect(item).to_contain_text("原因：居住地址不在本社区，请向实际居住的社区报到")
    shoot(member_page, "08-inbox-rejected")


def test_registration_errors_show_next_to_fields(page, shoot, district, make_member, ctx,
                                                 release_db):
    taken = make_member(phone="13811112222").phone
    release_db()
    page.goto("/register")
    page.get_by_role("button", name="提交报到").click()
    for label in ("姓名", "手机号", "工作单位"):
        expect(page.locator(".field.has-error", has=page.get_by_label(label))).to_be_visible()
    page.get_by_label("姓名").fill("刘显国")
    page.get_by_label("手机号").fill(taken)
    page.get_by_label("密码").fill(MEMBER_PASSWORD)
    page.get_by_label("工作单位").fill("南通市第二人民医院")
    page.get_by_label("居住社区").select_option(label="唐闸镇街道公园社区")
    page.get_by_test_id("privacy_consent").check()
    page.get_by_role("button", name="提交报到").click()
    phone_field = page.locator(".field.has-error", has=page.get_by_label("手机号"))
    expect(phone_field).to_contain_text("该手机号已注册")
    # what was typed is kept, the password is not
    expect(page.get_by_label("姓名")).to_have_value("刘显国")
    shoot(page, "09-register-errors")
