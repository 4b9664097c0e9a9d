"""Importing the organisation: streets, communities and grids; units. Existing ones are kept."""

import csv
import io

from sqlalchemy import func, select

from volunteer.extensions import db
from volunteer.orgs.models import Community, Grid, Street, Unit


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


def test_places_create_what_is_missing_and_report_each_row(runner, ctx, make_street,
                                                           make_community, tmp_path):
    hongqiao = make_street("虹桥街道")
    make_community("新西社区", hongqiao)
    path = csv_file(tmp_path, "places.csv", ["街道", "社区", "网格", "上级网格"], [
        ["虹桥街道", "新西社区", "虹桥北村网格", ""],
        ["虹桥街道", "新西社区", "虹桥北村56幢微网格", "虹桥北村网格"],
        ["唐闸镇街道", "公园社区", "公园一村网格", ""],
        ["唐闸镇街道", "", "", ""],
        ["", "新东社区", "", ""],
        ["虹桥街道", "", "春芽网格", ""],
        ["虹桥街道", "新东社区", "春芽网格", "不存在的网格"],
        ["街" * 61, "", "", ""],
    ])
    result = runner.invoke(args=["import", "places", path])
    assert result.exit_code == 0, result.output
    assert "共 8 行：已导入 4 行（新建 5），有误 4 行" in result.output
    lines = report(path)
    assert lines[2][3:] == ("已新建", "网格")
    assert lines[3][3:] == ("已新建", "微网格")
    assert lines[4][3:] == ("已新建", "街道、社区、网格")
    assert lines[5][3:] == ("已存在", "")
    assert lines[6][3:] == ("未导入", "缺少街道")
    assert lines[7][3:] == ("未导入", "网格须填写所属社区")
    assert lines[8][3:] == ("未导入", "该社区没有上级网格“不存在的网格”")
    assert lines[9][3:] == ("未导入", "街道名称不能超过 60 个字符")
    micro = db.session.scalar(select(Grid).where(Grid.name == "虹桥北村56幢微网格"))
    assert micro.parent.name == "虹桥北村网格"
    # a refused row makes nothing, not even its street's new community
    assert db.session.scalar(select(func.count()).select_from(Community)) == 2
    assert db.session.scalar(select(func.count()).select_from(Street)) == 2
    again = runner.invoke(args=["import", "places", path])
    assert "（新建 0）" in again.output  # importing twice creates nothing more


def test_units_with_their_kinds(runner, ctx, make_unit, tmp_path):
    make_unit("南通市第二中学")
    path = csv_file(tmp_path, "units.csv", ["单位名称", "单位类型"], [
        ["南通市第二中学", "学校"], ["南通市第二人民医院", "医院"], ["崇川区农水局", "bureau"],
        ["某公司", ""], ["某协会", "社团"], ["", "企业"]])
    result = runner.invoke(args=["import", "units", path])
    assert result.exit_code == 0, result.output
    lines = report(path)
    assert [lines[n][2] for n in range(2, 8)] == ["已存在", "已新建", "已新建", "已新建",
                                                 "未导入", "未导入"]
    assert lines[6][3].startswith("单位类型应为 学校、医院")
    kinds = dict(db.session.execute(select(Unit.name, Unit.kind)).all())
    assert (kinds["南通市第二人民医院"], kinds["崇川区农水局"], kinds["某公司"]) == (
        "hospital", "bureau", "other")


def test_a_dry_run_creates_nothing(runner, ctx, tmp_path):
    path = csv_file(tmp_path, "places.csv", ["街道", "社区", "网格"],
                    [["唐闸镇街道", "公园社区", "公园一村网格"],
                     ["唐闸镇街道", "公园社区", "红色工匠网格"]])
    result = runner.invoke(args=["import", "places", path, "--dry-run"])
    assert result.exit_code == 0 and "可导入 2 行（新建 4）" in result.output
    assert [row[3] for row in report(path).values()] == ["可新建", "可新建"]
    assert db.session.scalar(select(func.count()).select_from(Street)) == 0


def test_the_admin_imports_places_on_the_web(client, login, admin, ctx):
    login(admin)
    data = "街道,社区\n钟秀街道,校北村社区\n".encode()
    response = client.post("/admin/import/places", data={"file": (io.BytesIO(data), "p.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and 'data-testid="import-created">1<' in \
        response.get_data(as_text=True)
    assert db.session.scalar(select(Community.name)) == "校北村社区"
    assert client.get("/admin/import/everything").status_code == 404
