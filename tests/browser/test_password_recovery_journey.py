"""Password recovery in a real browser: a member's 忘记密码 on a phone, and the district admin
resetting a staff password on a desktop (the temporary password must be changed first)."""

import email
import re
from email import policy

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.conftest import PASSWORD
from volunteer.extensions import db
from volunteer.notifications.outbox import send_due_emails

pytestmark = pytest.mark.browser

NEW = "Langshan-2026"


def _code_from_outbox(app, address: str) -> str:
    """Send the queued e-mails (the scheduler's outbox job) and read the code from the
    newest ``.eml`` to ``address`` in the development mail folder."""
    from pathlib import Path

    send_due_emails()
    db.session.commit()
    folder = Path(app.instance_path) / "outbox"
    for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == address:
            text = message.get_body(preferencelist=("plain",)).get_content()
            return re.search(r"验证码是 (\d{6})", text).group(1)
    raise AssertionError(f"no e-mail to {address} in {folder}")


def test_member_forgets_the_password_and_resets_it(app, new_page, shoot, make_member,
                                                   release_db, login_as):
    member = make_member(name="顾丽")
    member.email = "gu.li@example.com"
    db.session.commit()
    phone = member.phone
    release_db()

    page = new_page()
    page.goto("/login")
    page.get_by_role("link", name="忘记密码").click()
    expect(page.get_by_role("heading", name="忘记密码")).to_be_visible()
    page.get_by_label("手机号").fill(phone)
    shoot(page, "recovery-01-forgot")
    page.get_by_role("button", name="获取验证码").click()
    expect(page).to_have_url(re.compile(r"/reset$"))
    expect(page.get_by_role("alert")).to_contain_text("验证码已发到该邮箱")
    expect(page.get_by_label("手机号")).to_have_value(phone)

    code = _code_from_outbox(app, "gu.li@example.com")
    release_db()

    # a wrong code first: the error sits at the code field, the typed phone stays
    page.get_by_label("验证码").fill("000000" if code != "000000" else "111111")
    page.get_by_label("新密码").fill(NEW)
    page.get_by_role("button", name="设置新密码").click()
    expect(page.locator("main")).to_contain_text("验证码不正确")
    shoot(page, "recovery-02-wrong-code")
    page.get_by_label("验证码").fill(code)
    page.get_by_label("新密码").fill(NEW)
    page.get_by_role("button", name="设置新密码").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("alert")).to_contain_text("密码已重置")
    shoot(page, "recovery-03-reset-done")

    login_as(page, phone, NEW)
    expect(page.locator("main")).to_contain_text("顾丽")


def test_admin_resets_a_staff_password_and_it_must_be_changed(new_page, shoot, admin,
                                                              make_staff, make_community,
                                                              release_db, login_as):
    secretary = make_staff("community_secretary", scope=make_community("公园社区"),
                           name="朱振华")
    admin_phone, secretary_phone = admin.phone, secretary.phone
    release_db()

    desk = new_page(DESKTOP)
    login_as(desk, admin_phone, PASSWORD)
    desk.goto("/admin/staff")
    row = desk.locator("tr", has_text="朱振华")
    shoot(desk, "recovery-03b-staff-list")
    row.get_by_role("button", name="重置密码").click()  # the confirmation is accepted
    expect(desk.get_by_role("heading", name="临时密码")).to_be_visible()
    temporary = desk.get_by_test_id("temporary-password").inner_text().strip()
    assert len(temporary) == 10
    shoot(desk, "recovery-04-temporary-password")

    staff = new_page(DESKTOP)
    login_as(staff, secretary_phone, temporary)
    expect(staff).to_have_url(re.compile(r"/account/password$"))
    expect(staff.get_by_test_id("must-change-password")).to_be_visible()
    shoot(staff, "recovery-05-must-change")
    # every other page sends them back here
    staff.goto("/members")
    expect(staff).to_have_url(re.compile(r"/account/password$"))
    staff.get_by_label("原密码").fill(temporary)
    staff.get_by_label("新密码").fill(NEW)
    staff.get_by_role("button", name="修改密码").click()
    expect(staff.get_by_role("alert").first).to_contain_text("密码已修改")
    staff.goto("/members")
    expect(staff).to_have_url(re.compile(r"/members"))
    shoot(staff, "recovery-06-changed")


def test_secretary_changes_a_members_phone_and_resets_the_password(new_page, shoot, make_member,
                                                                   make_staff, release_db,
                                                                   login_as):
    member = make_member(name="顾丽")
    secretary = make_staff("community_secretary", scope=member.community, name="朱振华")
    member_id, secretary_phone = member.id, secretary.phone
    release_db()

    desk = new_page(DESKTOP)
    login_as(desk, secretary_phone, PASSWORD)
    desk.goto(f"/members/{member_id}")
    account = desk.get_by_test_id("member-account")
    account.get_by_label("新手机号").fill("13911116666")
    account.get_by_role("button", name="修改手机号").click()
    expect(desk.get_by_role("alert").first).to_contain_text("13911116666")
    shoot(desk, "recovery-07-member-page")
    desk.get_by_test_id("member-account").get_by_role("button", name="重置密码").click()
    temporary = desk.get_by_test_id("temporary-password").inner_text().strip()

    phone = new_page()
    login_as(phone, "13911116666", temporary)
    expect(phone).to_have_url(re.compile(r"/account/password$"))
    shoot(phone, "recovery-08-member-must-change")
