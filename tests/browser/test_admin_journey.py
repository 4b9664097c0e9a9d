"""The district admin on a desktop: filters the audit log, then re-sends a report from
/admin/reports — queued by the page, run by the scheduler's job (here in-process), shown 完成."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.conftest import PASSWORD
from tests.review.conftest import make_service, town  # noqa: F401  (fixtures)
from volunteer.audit.services import record_action
from volunteer.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture
def facts(town, release_db):  # noqa: F811
    record_action(town["secretary"], "approve_member", town["gu"])
    record_action(town["secretary"], "reject_member", town["zhou"], reason="信息不全")
    record_action(town["reviewer"], "commend_member", town["gu"], member_id=town["gu"].id,
                  period="2026Q1")
    db.session.commit()
    found = {"admin": town["admin"].phone, "secretary": town["secretary"].name}
    release_db()
    return found


def test_admin_filters_the_audit_log_and_resends_a_report(app, new_page, shoot, login_as,
                                                          facts, release_db):
    from volunteer.scheduler import _report_requests, run_job

    page = new_page(DESKTOP)
    login_as(page, facts["admin"], PASSWORD)
    page.goto("/admin/audit")
    table = page.get_by_test_id("audit-table")
    expect(table).to_contain_text("审核通过党员报到")
    expect(table).to_contain_text("评为模范志愿者")
    expect(table).to_contain_text("2026年第1季度")
    page.get_by_label("操作人").fill(facts["secretary"])
    page.get_by_label("操作", exact=True).select_option(label="退回党员报到")
    page.get_by_test_id("audit-submit").click()
    expect(table).to_contain_text("周荣祥")
    expect(table).to_contain_text("信息不全")
    expect(table).not_to_contain_text("审核通过党员报到")
    shoot(page, "admin-01-audit-filtered")
    page.get_by_label("开始日期").fill("2026-03-31")
    page.get_by_label("结束日期").fill("2026-01-01")
    page.get_by_test_id("audit-submit").click()
    expect(page.get_by_test_id("audit-error-to")).to_contain_text("结束日期不能早于开始日期")
    shoot(page, "admin-02-audit-error")

    page.goto("/admin/reports")
    form = page.get_by_test_id("rerun-quarterly-bulletin")
    form.get_by_role("combobox").select_option(index=1)  # the quarter before the latest
    form.get_by_role("button", name="排队发送").click()  # the confirmation is accepted
    expect(page.get_by_role("alert")).to_contain_text("已排队")
    expect(page.get_by_test_id("requests")).to_contain_text("排队中")
    form = page.get_by_test_id("rerun-quarterly-bulletin")
    form.get_by_role("combobox").select_option(index=1)
    form.get_by_role("button", name="排队发送").click()
    expect(page.get_by_role("alert")).to_contain_text("请勿重复提交")
    shoot(page, "admin-03-queued")

    release_db()
    result = run_job(app, _report_requests, "report-requests")  # the scheduler's job
    assert result == {"requests_done": 1, "requests_failed": 0}
    page.reload()
    expect(page.get_by_test_id("requests")).to_contain_text("完成")
    expect(page.get_by_test_id("requests")).to_contain_text("新发送")
    shoot(page, "admin-04-done")
