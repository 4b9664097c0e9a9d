"""The report archive in a browser: a secretary opens the quarterly bulletin, prints, downloads."""

from datetime import timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from volunteer.core.periods import parse_period
from volunteer.reports.runner import run_report

pytestmark = pytest.mark.browser
CST = timezone(timedelta(hours=8))


@pytest.fixture
def bulletin(make_street, make_community, make_staff, make_member, release_db, ctx):
    from datetime import datetime

    from volunteer.extensions import db
    from volunteer.stats import summaries as summary
    from volunteer.tasks.models import Claim, Task

    community = make_community("公园社区", street=make_street("唐闸镇街道"))
    secretary = make_staff("community_secretary", scope=community, name="朱振华")
    admin = make_staff("district_admin", name="区委组织部")
    member = make_member(community=community, name="顾丽")
    member.created_at = datetime(2026, 1, 5, tzinfo=CST)
    ends = datetime(2026, 8, 20, 11, tzinfo=CST)
    task = Task(community_id=community.id, street_id=community.street_id,
                created_by_id=secretary.id, title="卡口值守", category="checkpoint_duty",
                location="公园一村北门", starts_at=ends - timedelta(hours=3), ends_at=ends,
                slots=2, slots_taken=1, status="open")
    db.session.add(task)
    db.session.flush()
    db.session.add(Claim(task_id=task.id, member_id=member.id, status="claimed",
                         confirmed_at=ends, confirmed_minutes=180, quality=5))
    summary.refresh([(member.id, ends)])
    db.session.commit()
    run_report("quarterly-bulletin", parse_period("2026Q3"),
               now=datetime(2026, 10, 1, 9, 30, tzinfo=CST))
    facts = {"secretary": secretary.phone, "admin": admin.phone}
    release_db()
    return facts


def test_secretary_opens_the_bulletin(new_page, shoot, login_as, bulletin):
    page = new_page()
    login_as(page, bulletin["secretary"], PASSWORD)
    page.get_by_test_id("nav-reports").click()
    expect(page.get_by_role("heading", name="提醒与通报")).to_be_visible()
    shoot(page, "reports-01-archive")
    page.get_by_test_id("report").first.click()
    expect(page.get_by_role("heading", name="一季一通报：2026年第3季度")).to_be_visible()
    expect(page.locator("main")).to_contain_text("排名第 1")
    expect(page.locator("table")).to_contain_text("公园社区")
    shoot(page, "reports-02-bulletin-secretary")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_district_admin_sees_every_table_and_the_runs(new_page, shoot, login_as, bulletin):
    page = new_page({"width": 1280, "height": 860})
    login_as(page, bulletin["admin"], PASSWORD)
    page.get_by_test_id("nav-reports").click()
    page.get_by_test_id("report").first.click()
    for heading in ("街道", "社区"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("3.0")  # hours
    shoot(page, "reports-03-bulletin-district")
    page.goto(page.url.split("/reports")[0] + "/admin/reports")
    expect(page.locator("main")).to_contain_text("2026Q3")
    shoot(page, "reports-04-runs")
