"""Logout in a real browser ends the session on the server: a copied cookie stops working."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_logout_ends_a_copied_session(new_page, shoot, login_as, make_member, release_db):
    member = make_member(name="顾丽")
    phone = member.phone
    release_db()
    page = new_page()
    login_as(page, phone, PASSWORD)
    page.goto("/me")
    expect(page.locator("main")).to_contain_text("顾丽")

    # another browser holding a copy of the cookie sees the same page
    copy = new_page()
    copy.context.add_cookies(page.context.cookies())
    copy.goto("/me")
    expect(copy.locator("main")).to_contain_text("顾丽")

    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("alert")).to_contain_text("已退出登录")
    shoot(page, "logout-01-logged-out")

    copy.goto("/me")
    expect(copy).to_have_url(re.compile(r"/login"))
    expect(copy.locator("main")).not_to_contain_text("顾丽")
    shoot(copy, "logout-02-copied-cookie-refused")
