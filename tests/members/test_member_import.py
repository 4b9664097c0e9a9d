"""Importing members from .xlsx and .csv: the CLI with its report, every kind of bad row."""

import csv
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from volunteer.auth.models import User
from volunteer.core.errors import ValidationFailed
from volunteer.core.sheets import read_sheet
from volunteer.extensions import db
from volunteer.members.importer import import_members

HEADER = ["序号", "姓名", "手机号", "工作单位", "街道", "居住社区", "网格", "专长"]


@pytest.fixture
def places(ctx, make_street, make_community, make_grid, make_unit, make_member):
    tangzha, hongqiao = make_street("唐闸镇街道"), make_street("虹桥街道")
    park = make_community("公园社区", tangzha)
    make_community("公园社区", hongqiao)  # the same name in another street
    xinxi = make_community("新西社区", hongqiao)
    make_grid(park, "公园一村网格")
    make_unit("南通市第二中学")
    make_unit("南通市第二人民医院")
    make_member(xinxi, phone="13700000999", name="已报到")
    return {"park": park, "xinxi": xinxi}


ROWS = [
    [1, "顾丽", "13812340001", "南通市第二中学", "唐闸镇街道", "公园社区", "公园一村网格",
     "教育、心理"],
    [2, "周荣祥", 13812340002, "南通市第二人民医院", "", "新西社区", "", "医疗,摄影"],
    [3, "", "13812340003", "南通市第二中学", "", "新西社区", "", ""],
    [4, "吴强", "1381234", "南通市第二中学", "", "新西社区", "", ""],
    [5, "李明", "13812340001", "南通市第二中学", "", "新西社区", "", ""],
    [6, "陈静", "13700000999", "南通市第二中学", "", "新西社区", "", ""],
    [7, "王芳", "13812340007", "崇川区不存在局", "", "新西社区", "", ""],
    [8, "赵磊", "13812340008", "南通市第二中学", "", "公园社区", "", ""],
    [9, "钱程", "13812340009", "南通市第二中学", "虹桥街道", "新西社区", "春芽网格", ""],
    [10, "", "", "", "", "", "", ""],
    [11, "孙悦", "13812340011", "南通市第二中学", "虹桥街道", "公园社区", "", ""],
]
REASONS = {
    3: "缺少姓名",
    4: "手机号应为 11 位大陆手机号",
    5: "手机号与第 2 行重复",
    6: "手机号已注册",
    7: "找不到工作单位“崇川区不存在局”",
    8: "有多个名为“公园社区”的社区，请填写街道",
    9: "该社区没有网格“春芽网格”",
}


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def test_the_cli_imports_the_good_rows_and_reports_every_bad_one(runner, places, tmp_path):
    sheet = tmp_path / "党员名单.xlsx"
    sheet.write_bytes(xlsx_bytes(ROWS))
    result = runner.invoke(args=["import", "members", str(sheet)])
    assert result.exit_code == 0, result.output
    assert "共 10 行：已导入 3 行（新建 3），有误 7 行" in result.output
    report = list(csv.reader((tmp_path / "党员名单.xlsx.report.csv").read_text(
        encoding="utf-8-sig").splitlines()))
    assert report[0] == ["行号", "姓名", "手机号", "结果", "说明"]
    outcome = {int(line): (result_, reason) for line, _n, _p, result_, reason in report[1:]}
    assert {line: reason for line, (kind, reason) in outcome.items() if kind == "未导入"} == {
        line + 1: reason for line, reason in REASONS.items()}  # +1: the header is line 1
    assert sorted(line for line, (kind, _r) in outcome.items() if kind == "已导入") == [2, 3, 12]
    gu = db.session.scalar(select(User).where(User.phone == "13812340001"))
    assert (gu.name, gu.status, gu.role) == ("顾丽", "approved", "member")
    assert gu.community_id == places["park"].id and gu.grid_id is not None
    assert sorted(gu.skill_tags) == ["education", "psychology"]
    zhou = db.session.scalar(select(User).where(User.phone == "13812340002"))
    assert zhou.community_id == places["xinxi"].id and sorted(zhou.skill_tags) == [
        "medical", "photography"]


def test_an_initial_password_logs_in_once_and_is_rehashed(runner, places, tmp_path, client,
                                                          app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_TIME_COST", 2)  # the tests' own cost is light
    sheet = tmp_path / "members.csv"
    sheet.write_bytes(csv_bytes(ROWS[:1]))
    assert runner.invoke(args=["import", "members", str(sheet),
                               "--report", str(tmp_path / "r.csv")]).exit_code == 0
    line = (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()[1]
    password = line.rsplit("初始密码 ", 1)[1]
    before = db.session.scalar(select(User.password_hash).where(User.phone == "13812340001"))
    assert "m=1024" in before  # light parameters for a random password
    response = client.post("/login", data={"phone": "13812340001", "password": password})
    assert response.status_code == 302
    db.session.expire_all()
    after = db.session.scalar(select(User.password_hash).where(User.phone == "13812340001"))
    assert after != before and "t=2" in after


def test_a_gbk_csv_reads_and_a_dry_run_changes_nothing(ctx, places):
    rows = list(read_sheet(csv_bytes(ROWS[:2], encoding="gb18030"), "名单.CSV"))
    assert rows[1][1][1] == "顾丽"
    result = import_members(rows, dry_run=True)
    assert (result.rows, result.created, len(result.errors)) == (2, 0, 0)
    assert [line[3] for line in result.report] == ["可导入", "可导入"]
    assert db.session.scalar(select(func.count()).select_from(User).where(
        User.phone.like("138123%"))) == 0


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"", "a.csv", "文件是空的"),
    ("姓名,手机号\n顾丽,13812340001\n".encode(), "a.csv", "缺少列：工作单位、居住社区"),
    (b"PK\x03\x04 not really a workbook", "a.xlsx", "无法读取该 Excel 文件"),
    (b"name", "a.txt", "请上传 .xlsx 或 .csv 文件"),
    ("姓名".encode("utf-16"), "a.csv", "CSV 文件应为 UTF-8 或 GBK 编码"),
])
def test_unreadable_files_are_refused_clearly(ctx, places, runner, tmp_path, data, filename,
                                              message):
    with pytest.raises(ValidationFailed) as refused:
        import_members(read_sheet(data, filename))
    assert message in refused.value.fields["file"]
    path = tmp_path / filename
    path.write_bytes(data)
    result = runner.invoke(args=["import", "members", str(path)])
    assert result.exit_code != 0 and message in result.output


def test_the_admin_imports_on_the_web_and_downloads_the_report_once(places, client, login,
                                                                     admin, make_staff):
    login(admin)
    page = client.get("/admin/import/members")
    assert page.status_code == 200 and "批量导入" in page.get_data(as_text=True)
    response = client.post("/admin/import/members", data={
        "file": (io.BytesIO(xlsx_bytes(ROWS)), "名单.xlsx")},
        content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert 'data-testid="import-created">3<' in html and 'data-testid="import-errors">7<' in html
    assert "找不到工作单位“崇川区不存在局”" in html
    token = html.split("/admin/import/report/")[1].split(".csv")[0]
    report = client.get(f"/admin/import/report/{token}.csv")
    assert report.status_code == 200 and "初始密码" in report.get_data(as_text=True)
    assert client.get(f"/admin/import/report/{token}.csv").status_code == 404  # once
    assert client.get("/admin/import/report/../../etc.csv").status_code == 404
    bad = client.post("/admin/import/members", data={
        "file": (io.BytesIO(b"x"), "list.txt")}, content_type="multipart/form-data")
    assert "请上传 .xlsx 或 .csv 文件" in bad.get_data(as_text=True)
    client.post("/logout")
    login(make_staff("community_secretary", places["park"]))
    assert client.get("/admin/import/members").status_code == 403
    assert client.post("/admin/import/members", data={
        "file": (io.BytesIO(xlsx_bytes(ROWS)), "名单.xlsx")},
        content_type="multipart/form-data").status_code == 403


def test_reports_nobody_downloaded_are_purged_after_a_day(app, ctx):
    import os
    import time

    from volunteer.core.errors import NotFound
    from volunteer.core.sheets import ImportResult, purge_reports, report_path, save_report
    from volunteer.core.time import utcnow
    from volunteer.scheduler import _housekeeping

    purge_reports(older_than_hours=0)  # reports other tests left in the shared instance
    old, fresh = save_report(ImportResult(["行号"])), save_report(ImportResult(["行号"]))
    day_ago = time.time() - 25 * 3600
    os.utime(report_path(old), (day_ago, day_ago))
    assert _housekeeping(utcnow())["import_reports_purged"] == 1
    assert report_path(fresh).is_file()
    with pytest.raises(NotFound):
        report_path(old)
    assert purge_reports(older_than_hours=0) == 1
