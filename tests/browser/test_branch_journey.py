"""Branch membership in a browser (desktop, staff): the community secretary places a member in
a 功能型党支部 on the member's page; the branch's secretary finds them in their list, with a
tap-to-call phone, and searches it; registration offers the community's branches."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def area(make_community, make_branch, make_member, make_staff, make_grid, make_unit,
         release_db):
    park = make_community("公园社区")
    grid = make_grid(park, "公园一村网格")
    general = make_branch(park, "公园社区功能型党总支", level="general")
    branch = make_branch(park, "退休党员支部")
    make_branch(park, "在职党员第一小组", level="group")
    member = make_member(park, make_unit("南通市第二中学"), grid=grid, name="顾丽")
    make_member(park, branch=branch, name="周荣祥")
    facts = {"member_id": member.id, "member_phone": member.phone, "branch_id": branch.id,
             "general": general.name, "community_id": park.id,
             "secretary": make_staff("community_secretary", park, name="李秀英").phone,
             "branch_secretary": make_staff("branch_secretary", branch, name="陈芳").phone}
    release_db()
    return facts


def test_the_secretary_places_and_the_branch_secretary_sees(new_page, shoot, login_as, area):
    page = new_page(DESKTOP)
    login_as(page, area["secretary"], PASSWORD)
    page.goto(f"/members/{area['member_id']}")
    card = page.get_by_test_id("member-branch")
    expect(card).to_contain_text("编入党组织")
    select = page.get_by_test_id("branch-select")
    assert area["general"] not in select.inner_text()  # a 总支 holds no members directly
    select.select_option(label="退休党员支部（功能型党支部）")
    shoot(page, "branch-01-member-page")
    page.get_by_test_id("branch-save").click()
    expect(page.locator(".flash.success")).to_contain_text("已将 顾丽 编入退休党员支部")
    expect(page.get_by_test_id("member-branch-name")).to_have_text("退休党员支部")
    shoot(page, "branch-02-placed")

    other = new_page(DESKTOP)
    login_as(other, area["branch_secretary"], PASSWORD)
    other.get_by_test_id("nav-branch").first.click()
    table = other.get_by_test_id("branch-members")
    expect(table).to_contain_text("顾丽")
    expect(table).to_contain_text("周荣祥")
    row = other.get_by_test_id(f"branch-member-{area['member_id']}")
    expect(row.locator(f'a[href="tel:{area["member_phone"]}"]')).to_be_visible()
    expect(row).to_contain_text("公园一村网格")
    expect(row).to_contain_text("南通市第二中学")
    shoot(other, "branch-03-branch-list")
    other.get_by_test_id("branch-search").fill("顾")
    other.get_by_role("button", name="搜索").click()
    expect(table).to_contain_text("顾丽")
    expect(table).not_to_contain_text("周荣祥")
    shoot(other, "branch-04-search")


def test_registration_offers_the_communitys_branches(new_page, shoot, area):
    page = new_page()  # members register on a phone
    page.goto("/register")
    page.get_by_label("居住社区").select_option(value=str(area["community_id"]))
    branch = page.get_by_label("所在党支部（可选）")
    expect(branch.locator("option", has_text="退休党员支部")).to_have_count(1)
    expect(branch.locator("option", has_text="在职党员第一小组")).to_have_count(1)
    expect(branch.locator("option", has_text=area["general"])).to_have_count(0)
    branch.select_option(label="退休党员支部")
    shoot(page, "branch-05-register")


def test_the_admin_imports_staff_from_the_template(new_page, shoot, login_as, make_staff,
                                                    area, tmp_path, release_db):
    admin = make_staff("district_admin").phone
    release_db()
    sheet = tmp_path / "staff.csv"
    sheet.write_text("姓名,手机号,角色,社区,党组织\n陈红,13900000011,支部书记,公园社区,退休党员支部\n"
                     "王五,13900000012,网格员,公园社区,\n", encoding="utf-8-sig")
    page = new_page(DESKTOP)
    login_as(page, admin, PASSWORD)
    page.goto("/admin/import/staff")
    with page.expect_download() as download:
        page.get_by_test_id("import-template").click()
    assert download.value.suggested_filename == "import-staff.xlsx"
    page.get_by_label("名单文件（.xlsx 或 .csv）").set_input_files(str(sheet))
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-created")).to_have_text("1")
    expect(page.get_by_test_id("import-result")).to_contain_text("网格员须填写网格")
    expect(page.get_by_test_id("staff-passwords-note")).to_be_visible()
    shoot(page, "branch-06-staff-import")
