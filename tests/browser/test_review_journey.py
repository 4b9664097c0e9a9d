"""Review in a browser: a street reviewer opens the dashboard, switches the period, drills down
to a community, downloads the Excel file, and commends a member."""


import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.conftest import PASSWORD
from tests.review.conftest import make_service, town  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture
def facts(town, release_db):  # noqa: F811
    found = {"reviewer": town["reviewer"].phone, "gu": town["gu"].id,
             "gu_phone": town["gu"].phone}
    release_db()
    return found


def test_reviewer_dashboard_drill_down_export_commend(new_page, shoot, login_as, facts):
    page = new_page(DESKTOP)
    login_as(page, facts["reviewer"], PASSWORD)
    shoot(page, "review-00-home")
    page.get_by_test_id("nav-review").click()
    expect(page.get_by_test_id("review-title")).to_contain_text("和平桥街道")
    expect(page.get_by_test_id("score-explanation")).to_contain_text("综合评分")
    # a custom period by the date pickers: a wrong one keeps the dashboard, with the error
    page.get_by_label("开始日期").fill("2026-03-31")
    page.get_by_label("结束日期").fill("2026-01-01")
    page.get_by_test_id("period-submit").click()
    expect(page.get_by_test_id("period-error-to")).to_contain_text("结束日期不能早于开始日期")
    expect(page.get_by_test_id("summary")).to_be_visible()
    shoot(page, "review-00-period-error")
    page.get_by_label("开始日期").fill("2026-01-01")
    page.get_by_label("结束日期").fill("2026-03-31")
    page.get_by_test_id("period-submit").click()
    expect(page.get_by_test_id("review-title")).to_contain_text("2026年第1季度")
    expect(page.get_by_test_id("period-error")).to_have_count(0)
    expect(page.get_by_test_id("summary-hours")).to_have_text("11.0")
    expect(page.locator("#chart-trend")).to_be_visible()
    shoot(page, "review-01-street")

    page.get_by_test_id("ranking").get_by_role("link", name="公园社区").click()
    expect(page.get_by_test_id("review-title")).to_contain_text("公园社区")
    expect(page.get_by_test_id("summary-participation")).to_have_text("66.7%")
    page.get_by_test_id("table-tabs").get_by_role("link", name="党员").click()
    expect(page.get_by_test_id("ranking")).to_contain_text("顾丽")
    expect(page.get_by_test_id("ranking")).to_contain_text("139****0001")
    # 陈静 served nothing this quarter: listed, not ranked
    expect(page.get_by_test_id("ranking").locator("tr", has_text="陈静")).to_contain_text("未参与")
    with page.expect_download() as info:
        page.get_by_test_id("export-xlsx").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as handle:  # the saved download has no .xlsx suffix
        sheet = load_workbook(handle).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [r[1] for r in rows] == ["顾丽", "周荣祥", "陈静"]
    shoot(page, "review-02-community")

    page.locator("nav.crumbs").get_by_role("link", name="和平桥街道").click()
    page.get_by_test_id("table-tabs").get_by_role("link", name="党员").click()
    page.get_by_test_id(f"commend-{facts['gu']}").click()
    page.get_by_label("推荐事迹（评语）").fill("连续三个月坚守卡口，居民评价高。")
    shoot(page, "review-03-commend")
    page.get_by_test_id("commend-submit").click()
    expect(page.get_by_role("alert")).to_contain_text("模范志愿者")
    expect(page.get_by_test_id("commendations")).to_contain_text("连续三个月坚守卡口")
    expect(page.get_by_test_id("ranking")).to_contain_text("模范志愿者")
    shoot(page, "review-04-commended")

    # a commendation made in error is withdrawn, after a confirmation, with a reason
    page.get_by_test_id("commendations").get_by_text("撤销评优").click()
    page.get_by_label("撤销原因").fill("统计口径有误，重新评选")
    page.get_by_test_id("commendations").get_by_role("button", name="撤销").click()
    expect(page.get_by_role("alert")).to_contain_text("已撤销")
    expect(page.get_by_test_id("commendations")).to_contain_text("尚未评选")
    shoot(page, "review-05-withdrawn")
