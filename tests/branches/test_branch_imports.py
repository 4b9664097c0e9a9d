"""Imports for branch work: the member import's 党组织 column, branches, staff accounts; the
web page with its template sheets."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.core.test_export_cells import assert_inert
from volunteer.audit.models import AuditLog
from volunteer.auth.models import User
from volunteer.extensions import db
from volunteer.orgs.models import Branch


def csv_file(tmp_path, name: str, header: list, rows: list) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8-sig")
    return str(path)


def report(path: str) -> dict[int, tuple]:
    with open(path + ".report.csv", encoding="utf-8-sig") as handle:
        lines = list(csv.reader(handle))
    return {int(row[0]): tuple(row[1:]) for row in lines[1:]}


@pytest.fixture
def place(ctx, make_street, make_community, make_grid, make_branch, make_unit):
    hongqiao, tangzha = make_street("虹桥街道"), make_street("唐闸镇街道")
    park = make_community("公园社区", hongqiao)
    make_community("公园社区", tangzha)  # a second 公园社区, in another street
    xinxi = make_community("新西社区", hongqiao)
    general = make_branch(park, "公园社区功能型党总支", level="general")
    branch = make_branch(park, "退休党员支部")
    make_branch(xinxi, "新西社区党支部")
    make_grid(park, "公园一村网格")
    make_unit("南通市第二中学")
    return {"park": park, "xinxi": xinxi, "general": general, "branch": branch}


MEMBER_HEADER = ["姓名", "手机号", "工作单位", "街道", "居住社区", "党组织"]


def test_the_member_import_places_members_in_a_branch(runner, place, tmp_path):
    path = csv_file(tmp_path, "members.csv", MEMBER_HEADER, [
        ["顾丽", "13812340001", "南通市第二中学", "虹桥街道", "公园社区", "退休党员支部"],
        ["周荣祥", "13812340002", "南通市第二中学", "虹桥街道", "公园社区", "新西社区党支部"],
        ["李明", "13812340003", "南通市第二中学", "虹桥街道", "公园社区", "公园社区功能型党总支"],
        ["陈静", "13812340004", "南通市第二中学", "", "新西社区", ""],
    ])
    result = runner.invoke(args=["import", "members", path])
    assert result.exit_code == 0, result.output
    lines = report(path)
    assert lines[3][2:] == ("未导入", "该社区没有党组织“新西社区党支部”")
    assert lines[4][2:] == (
        "未导入", "“公园社区功能型党总支”是功能型党总支，党员只能编入功能型党支部或党小组")
    gu = db.session.scalar(select(User).where(User.phone == "13812340001"))
    assert gu.branch_id == place["branch"].id
    assert db.session.scalar(select(User.branch_id).where(User.phone == "13812340004")) is None


BRANCH_HEADER = ["街道", "社区", "名称", "级别", "上级组织"]


def test_branches_import_with_levels_and_parents(runner, place, tmp_path):
    path = csv_file(tmp_path, "branches.csv", BRANCH_HEADER, [
        ["虹桥街道", "公园社区", "在职党员支部", "功能型党支部", "公园社区功能型党总支"],
        ["虹桥街道", "公园社区", "在职党员第一小组", "党小组", "在职党员支部"],
        ["虹桥街道", "公园社区", "退休党员支部", "", ""],
        ["", "新西社区", "新西社区第二支部", "branch", ""],
        ["", "公园社区", "某支部", "", ""],
        ["虹桥街道", "公园社区", "总支之下的总支", "功能型党总支", "公园社区功能型党总支"],
        ["虹桥街道", "公园社区", "小组之下", "功能型党支部", "在职党员第一小组"],
        ["虹桥街道", "公园社区", "无名上级", "党小组", "不存在的支部"],
        ["虹桥街道", "公园社区", "某组织", "大队", ""],
        ["虹桥街道", "不存在社区", "某组织", "", ""],
        ["虹桥街道", "公园社区", "支" * 81, "", ""],
    ])
    result = runner.invoke(args=["import", "branches", path])
    assert result.exit_code == 0, result.output
    assert "共 11 行：已导入 4 行（新建 3），有误 7 行" in result.output
    lines = report(path)
    assert lines[2][3:] == ("已新建", "")
    assert lines[4][2:] == ("功能型党支部", "已存在", "")
    assert lines[5][3:] == ("已新建", "")
    assert lines[6][3:] == ("未导入", "有多个名为“公园社区”的社区，请填写街道")
    assert lines[7][3:] == ("未导入", "功能型党总支不设上级组织")
    assert lines[8][3:] == (
        "未导入", "上级组织“在职党员第一小组”是党小组，不能作为功能型党支部的上级")
    assert lines[9][3:] == ("未导入", "该社区没有上级组织“不存在的支部”")
    assert lines[10][3:] == ("未导入", "级别应为 功能型党总支、功能型党支部、党小组 之一")
    assert lines[11][3:] == ("未导入", "找不到社区“不存在社区”")
    assert lines[12][3:] == ("未导入", "党组织名称不能超过 80 个字符")
    group = db.session.scalar(select(Branch).where(Branch.name == "在职党员第一小组"))
    assert group.level == "group" and group.parent.name == "在职党员支部"
    assert group.parent.parent_id == place["general"].id
    assert db.session.scalar(select(AuditLog.detail).where(
        AuditLog.action == "import_branches"))["created"] == 3
    again = runner.invoke(args=["import", "branches", path])
    assert "（新建 0）" in again.output


STAFF_HEADER = ["姓名", "手机号", "角色", "街道", "社区", "网格", "党组织", "单位"]


def test_staff_import_scopes_each_role_and_reports_passwords_once(runner, place, tmp_path,
                                                                   make_member, client):
    make_member(place["xinxi"], phone="13700000999")
    path = csv_file(tmp_path, "staff.csv", STAFF_HEADER, [
        ["王建国", "13900000001", "街道审核员", "虹桥街道", "", "", "", ""],
        ["李秀英", "13900000002", "社区书记", "虹桥街道", "公园社区", "", "", ""],
        ["张伟", "13900000003", "网格员", "虹桥街道", "公园社区", "公园一村网格", "", ""],
        ["陈芳", "13900000004", "支部书记", "虹桥街道", "公园社区", "", "公园社区功能型党总支", ""],
        ["刘洋", "13900000005", "unit_contact", "", "", "", "", "南通市第二中学"],
        ["赵磊", "13900000006", "社区书记", "", "公园社区", "", "", ""],
        ["钱程", "13900000007", "网格员", "虹桥街道", "公园社区", "", "", ""],
        ["孙悦", "13900000008", "区委组织部管理员", "", "", "", "", ""],
        ["吴强", "13700000999", "单位联系人", "", "", "", "", "不存在单位"],
        ["周周", "13900000002", "支部书记", "虹桥街道", "新西社区", "", "退休党员支部", ""],
    ])
    result = runner.invoke(args=["import", "staff", path])
    assert result.exit_code == 0, result.output
    assert "共 10 行：已导入 5 行（新建 5），有误 5 行" in result.output
    lines = report(path)
    assert lines[7][3:] == ("未导入", "有多个名为“公园社区”的社区，请填写街道")
    assert lines[8][3:] == ("未导入", "网格员须填写网格")
    assert lines[9][3:] == (
        "未导入", "角色应为 街道审核员、社区书记、网格员、支部书记、单位联系人 之一")
    assert lines[10][3:] == ("未导入", "手机号已注册；找不到单位“不存在单位”")
    assert lines[11][3:] == ("未导入", "手机号与第 3 行重复；该社区没有党组织“退休党员支部”")
    staff = {u.phone: u for u in db.session.scalars(select(User).where(
        User.phone.like("139000000%")))}
    assert staff["13900000001"].street_id is not None and staff["13900000001"].role == (
        "street_reviewer")
    grid_worker = staff["13900000003"]
    assert (grid_worker.role, grid_worker.community_id) == ("grid_worker", place["park"].id)
    assert grid_worker.grid_id is not None and grid_worker.street_id == place["park"].street_id
    branch_secretary = staff["13900000004"]
    assert branch_secretary.branch_id == place["general"].id
    assert staff["13900000005"].unit_id is not None and staff["13900000005"].role == (
        "unit_contact")
    assert lines[3][2:4] == ("社区书记", "已导入")
    password = lines[3][4].removeprefix("初始密码 ")
    assert len(password) == 12
    assert client.post("/login", data={"phone": "13900000002",
                                       "password": password}).status_code == 302
    assert (tmp_path / "staff.csv.report.csv").stat().st_mode & 0o077 == 0


def test_a_staff_dry_run_creates_nothing(runner, place, tmp_path):
    path = csv_file(tmp_path, "staff.csv", STAFF_HEADER, [
        ["李秀英", "13900000002", "社区书记", "虹桥街道", "公园社区", "", "", ""]])
    result = runner.invoke(args=["import", "staff", path, "--dry-run"])
    assert "可导入 1 行" in result.output and report(path)[2][3:] == ("可导入", "")
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_the_web_import_of_staff_and_branches(client, login, admin, place):
    login(admin)
    body = ("姓名,手机号,角色,社区,街道,党组织\n"
            "陈芳,13900000004,支部书记,公园社区,虹桥街道,退休党员支部\n")
    page = client.post("/admin/import/staff", data={
        "file": (io.BytesIO(body.encode("utf-8-sig")), "staff.csv")},
        content_type="multipart/form-data")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="staff-passwords-note"' in html
    assert db.session.scalar(select(User.branch_id).where(
        User.phone == "13900000004")) == place["branch"].id
    token = html.split("/admin/import/report/")[1].split(".csv")[0]
    assert "初始密码" in client.get(f"/admin/import/report/{token}.csv").get_data(as_text=True)
    assert client.get(f"/admin/import/report/{token}.csv").status_code == 404  # once
    branches = client.post("/admin/import/branches", data={
        "file": (io.BytesIO("社区,名称\n新西社区,新西社区第三支部\n".encode()), "b.csv")},
        content_type="multipart/form-data")
    assert branches.status_code == 200
    assert db.session.scalar(select(Branch).where(Branch.name == "新西社区第三支部")).level == (
        "branch")


@pytest.mark.parametrize("kind", ["members", "places", "units", "branches", "staff"])
def test_every_import_offers_a_template_sheet_it_reads(client, login, admin, ctx, kind):
    from volunteer.core.imports import IMPORTS
    from volunteer.core.sheets import read_sheet

    login(admin)
    page = client.get(f"/admin/import/{kind}").get_data(as_text=True)
    assert f'/admin/import/{kind}/template.xlsx' in page
    response = client.get(f"/admin/import/{kind}/template.xlsx")
    assert response.status_code == 200
    data = response.get_data()
    assert_inert(data, response.mimetype, kind)  # no formula, like every sheet we write
    sheet = load_workbook(io.BytesIO(data)).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header[0] in ("姓名", "街道", "单位名称")
    # the importer reads the template: the columns are known, no row fails for its shape
    result = IMPORTS[kind].importer(read_sheet(data, "t.xlsx"), dry_run=True)
    assert result.rows == sheet.max_row - 1
    db.session.rollback()


def test_only_the_district_admin_imports(client, login, make_staff, place):
    login(make_staff("community_secretary", place["park"]))
    assert client.get("/admin/import/staff").status_code == 403
    assert client.get("/admin/import/branches/template.xlsx").status_code == 403
