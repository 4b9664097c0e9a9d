"""A sheet that costs too much to read is refused with a clear message, on the page and the CLI.

The workbooks here are written with zipfile directly, a few kilobytes on disk: one declaring
20 million rows (openpyxl fills every gap with a blank row), one of millions of packed blank
rows, one whose directory declares a member of 200 MB, and one row of 300,000 cells that takes
half a minute to parse. None may tie up a worker.
"""

import io
import struct
import time
import zipfile

import pytest
from sqlalchemy import func, select

from volunteer.auth.models import User
from volunteer.core.errors import ValidationFailed
from volunteer.core.sheets import read_sheet
from volunteer.extensions import db

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml":
        f'<Types xmlns="{PACKAGE}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/></Types>',
    "_rels/.rels":
        f'<Relationships xmlns="{PACKAGE}/relationships"><Relationship Id="rId1" '
        f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml":
        f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets><sheet name="Sheet1" '
        'sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels":
        f'<Relationships xmlns="{PACKAGE}/relationships"><Relationship Id="rId1" '
        f'Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}
HEADER = ["姓名", "手机号", "工作单位", "居住社区"]


def text_cell(text, ref="") -> str:
    ref = f' r="{ref}"' if ref else ""
    return f'<c{ref} t="inlineStr"><is><t>{text}</t></is></c>'


def workbook(rows_xml, dimension: str | None = None) -> bytes:
    """An .xlsx whose sheet holds the header row and then ``rows_xml`` (chunks of XML)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in PARTS.items():
            archive.writestr(name, xml)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet xmlns="{MAIN}">'.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            header = "".join(text_cell(name, f"{column}1")
                             for column, name in zip("ABCD", HEADER, strict=True))
            sheet.write(f'<sheetData><row r="1">{header}</row>'.encode())
            for chunk in rows_xml:
                sheet.write(chunk.encode())
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def twenty_million_rows() -> bytes:
    """Declares A1:D20000000 and has a cell in the last row: 20 million rows read."""
    return workbook([f'<row r="20000000">{text_cell("顾丽", "A20000000")}</row>'],
                    dimension="A1:D20000000")


def packed_blank_rows() -> bytes:
    """Two million blank rows, 12 MB of XML packed into a few kilobytes."""
    return workbook(["<row/>" * 100_000 for _ in range(20)])


def declared_too_large() -> bytes:
    """A small workbook whose zip directory says the sheet unpacks to 200 MB."""
    data = bytearray(workbook([f'<row r="2">{text_cell("顾丽")}</row>']))
    name = b"xl/worksheets/sheet1.xml"
    at = data.index(b"PK\x01\x02")  # the central directory's entries
    while data[at + 46:at + 46 + len(name)] != name:
        at = data.index(b"PK\x01\x02", at + 4)
    struct.pack_into("<I", data, at + 24, 200 * 1024 * 1024)  # the uncompressed size
    return bytes(data)


def one_wide_row() -> bytes:
    """A single row of 300,000 cells (11 MB of XML): half a minute of parsing."""
    return workbook(['<row r="2">' + text_cell("x") * 300_000 + "</row>"])


BOMBS = {
    "rows": (twenty_million_rows, {}, "表格超过 100000 行（空行也计算在内）"),
    "ratio": (packed_blank_rows, {}, "压缩比异常"),
    "declared": (declared_too_large, {}, "解压后超过 100 MB"),
    "deadline": (one_wide_row, {"IMPORT_MAX_PACKING_RATIO": 10 ** 6,
                                "IMPORT_MAX_READ_SECONDS": 0.5}, "读取文件超过 0.5 秒"),
}


@pytest.fixture
def places(ctx, make_community, make_unit):
    make_community("公园社区")
    make_unit("南通市第二中学")


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_the_import_page_refuses_a_bomb_quickly(places, client, login, admin, app,
                                                monkeypatch, bomb):
    build, settings, message = BOMBS[bomb]
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    data = build()
    assert len(data) < 200_000  # small on disk
    login(admin)
    started = time.monotonic()
    response = client.post("/admin/import/members", data={
        "file": (io.BytesIO(data), "名单.xlsx")}, content_type="multipart/form-data")
    assert time.monotonic() - started < 10
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page and "无法导入" in page
    assert 'data-testid="import-result"' not in page
    assert db.session.scalar(select(func.count()).select_from(User).where(
        User.name == "顾丽")) == 0


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_the_cli_refuses_a_bomb_quickly(places, runner, app, monkeypatch, tmp_path, bomb):
    build, settings, message = BOMBS[bomb]
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    path = tmp_path / "名单.xlsx"
    path.write_bytes(build())
    started = time.monotonic()
    result = runner.invoke(args=["import", "members", str(path)])
    assert time.monotonic() - started < 10
    assert result.exit_code != 0 and message in result.output, result.output
    assert not (tmp_path / "名单.xlsx.report.csv").exists()


@pytest.mark.parametrize("bomb", ["ratio", "declared"])
def test_the_archive_is_refused_before_openpyxl_opens_it(ctx, monkeypatch, bomb):
    import openpyxl

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened a workbook that should have been refused")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    build, _settings, message = BOMBS[bomb]
    with pytest.raises(ValidationFailed) as refused:
        list(read_sheet(build(), "a.xlsx"))
    assert message in refused.value.fields["file"]


def test_the_clock_counts_reading_not_importing(ctx, app, monkeypatch):
    """Time the importer spends on its rows does not count against the reading budget."""
    monkeypatch.setitem(app.config, "IMPORT_MAX_READ_SECONDS", 0.3)
    rows = read_sheet(workbook([f"<row>{text_cell('顾丽')}</row>" for _ in range(4)]), "a.xlsx")
    read = []
    for line in rows:
        read.append(line)
        time.sleep(0.15)  # the importer checking a row
    assert len(read) == 5


def test_a_csv_is_capped_in_bytes_and_rows(places, app, monkeypatch, runner, tmp_path, client,
                                           login, admin):
    blank_lines = ("姓名,手机号,工作单位,居住社区\n" + "\n" * 3000).encode()
    monkeypatch.setitem(app.config, "IMPORT_MAX_SHEET_ROWS", 2000)
    with pytest.raises(ValidationFailed) as refused:
        list(read_sheet(blank_lines, "a.csv"))
    assert "表格超过 2000 行（空行也计算在内）" in refused.value.fields["file"]
    monkeypatch.setitem(app.config, "IMPORT_MAX_FILE_BYTES", 1024)
    path = tmp_path / "名单.csv"
    path.write_bytes(blank_lines)
    result = runner.invoke(args=["import", "members", str(path)])
    assert result.exit_code != 0 and "文件超过 1 KB，无法导入" in result.output
    login(admin)
    page = client.post("/admin/import/members", data={
        "file": (io.BytesIO(blank_lines), "名单.csv")}, content_type="multipart/form-data")
    assert page.status_code == 200 and "文件超过 1 KB" in page.get_data(as_text=True)


def test_a_field_past_the_csv_limit_is_refused_clearly(ctx):
    data = ('姓名,手机号\n"' + "长" * 200_000 + '",1\n').encode()
    with pytest.raises(ValidationFailed) as refused:
        list(read_sheet(data, "a.csv"))
    assert "无法读取该 CSV 文件" in refused.value.fields["file"]
