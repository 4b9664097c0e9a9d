"""Imports in a browser: the district admin loads a sheet of places, then one of members with a
bad row, sees the counts and the reason, and downloads the row-by-row report."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def district(make_staff, make_unit, release_db):
    make_unit("南通市第二中学")
    phone = make_staff("district_admin").phone
    release_db()
    return phone


def test_places_then_members(new_page, shoot, login_as, district, tmp_path):
    places = tmp_path / "places.csv"
    places.write_text("街道,社区,网格\n唐闸镇街道,公园社区,公园一村网格\n", encoding="utf-8-sig")
    members = tmp_path / "members.csv"
    members.write_text("姓名,手机号,工作单位,居住社区,网格\n"
                       "顾丽,13812340001,南通市第二中学,公园社区,公园一村网格\n"
                       "吴强,13812340002,不存在的单位,公园社区,\n", encoding="utf-8-sig")
    page = new_page()
    login_as(page, district, PASSWORD)
    page.goto("/admin/")
    page.get_by_test_id("import-members").click()
    page.get_by_test_id("import-places").click()
    page.get_by_label("名单文件（.xlsx 或 .csv）").set_input_files(str(places))
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-created")).to_have_text("1")
    shoot(page, "import-01-places")

    page.get_by_test_id("import-members").click()
    page.get_by_label("名单文件（.xlsx 或 .csv）").set_input_files(str(members))
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-created")).to_have_text("1")
    expect(page.get_by_test_id("import-errors")).to_have_text("1")
    expect(page.get_by_test_id("import-result")).to_contain_text("找不到工作单位“不存在的单位”")
    shoot(page, "import-02-members")
    with page.expect_download() as download:
        page.get_by_test_id("import-report").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "初始密码" in text and "未导入" in text


def test_a_zip_bomb_is_refused_on_the_page(new_page, shoot, login_as, district, tmp_path):
    """A few kilobytes declaring 20 million rows: the page answers at once, with the reason
    under the file field."""
    from tests.core.test_import_limits import twenty_million_rows

    bomb = tmp_path / "名单.xlsx"
    bomb.write_bytes(twenty_million_rows())
    page = new_page()
    login_as(page, district, PASSWORD)
    page.goto("/admin/import/members")
    page.get_by_label("名单文件（.xlsx 或 .csv）").set_input_files(str(bomb))
    page.get_by_test_id("import-submit").click()
    upload_form = page.locator("form[enctype]")
    expect(upload_form).to_contain_text("表格超过 100000 行（空行也计算在内），无法导入",
                                        timeout=10_000)
    expect(page.get_by_test_id("import-result")).to_have_count(0)
    shoot(page, "import-03-zip-bomb")
