"""Privacy in a real browser at phone size: the notice, the consents on the public forms, a
member's data download and deletion request, the secretary handling it."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def park(make_community, make_grid, make_unit, make_member, make_staff, release_db):
    community = make_community("公园社区")
    make_grid(community, "公园一村网格")
    make_unit("南通市第二中学")
    member = make_member(community=community, name="顾丽", phone="13812345678")
    secretary = make_staff("community_secretary", scope=community, name="朱振华")
    facts = {"community": community.full_name, "member": member.phone,
             "secretary": secretary.phone}
    release_db()
    return facts


def test_notice_and_consents_on_the_public_forms(page, shoot, park):
    page.goto("/requests/new")
    page.get_by_test_id("footer-privacy").click()
    expect(page.get_by_test_id("privacy-notice")).to_contain_text("保存多久")
    shoot(page, "privacy-01-notice")

    page.goto("/requests/new")
    page.get_by_label("您的称呼").fill("王阿姨")
    page.get_by_label("手机号").fill("13800001111")
    page.get_by_label("所在社区").select_option(label=park["community"])
    page.get_by_label("地址").fill("公园一村8幢201室")
    page.get_by_label("需要什么帮助").select_option(label="健康义诊")
    page.get_by_label("具体说明").fill("老人血压偏高，想请医生上门量血压")
    page.get_by_test_id("health_sensitive").check()
    page.get_by_test_id("submit-request").click()
    # both consents are asked for at once (every error of a form in one round)
    expect(page.locator(".field.has-error", has_text="请阅读并同意")).to_be_visible()
    expect(page.locator(".field.has-error", has_text="请单独勾选同意")).to_be_visible()
    page.get_by_test_id("privacy_consent").check()
    page.get_by_test_id("submit-request").click()
    expect(page.locator(".field.has-error")).to_contain_text("请单独勾选同意")
    shoot(page, "privacy-02-request-consents")
    page.get_by_test_id("sensitive_consent").check()
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_role("alert")).to_contain_text("点单已提交")

    page.goto("/register")
    expect(page.get_by_test_id("privacy_consent")).to_be_visible()
    shoot(page, "privacy-03-register-consent")


def test_member_downloads_data_and_asks_for_deletion(new_page, shoot, login_as, park):
    member = new_page()
    login_as(member, park["member"], PASSWORD)
    member.goto("/me")
    expect(member.get_by_test_id("my-privacy")).to_be_visible()
    shoot(member, "privacy-04-me")
    with member.expect_download() as info:
        member.get_by_test_id("download-data").click()
    data = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert data["profile"]["phone"] == park["member"]
    member.get_by_test_id("ask-deletion").click()
    member.get_by_test_id("request-deletion").click()
    expect(member.locator(".field.has-error")).to_contain_text("请勾选确认")
    member.get_by_test_id("confirm").check()
    shoot(member, "privacy-05-deletion-request")
    member.get_by_test_id("request-deletion").click()
    expect(member.get_by_role("alert")).to_contain_text("注销申请已提交")

    secretary = new_page()
    login_as(secretary, park["secretary"], PASSWORD)
    secretary.goto("/members")
    secretary.get_by_test_id("deletion-requests").click()
    expect(secretary.locator("main")).to_contain_text("顾丽")
    shoot(secretary, "privacy-06-deletion-requests")
    secretary.locator("[data-testid^=complete-]").click()
    expect(secretary.get_by_role("alert")).to_contain_text("账号已注销")
    expect(secretary.locator("main")).to_contain_text("暂无待处理的注销申请")

    member.goto("/me")
    expect(member).to_have_url(re.compile(r"/login"))
