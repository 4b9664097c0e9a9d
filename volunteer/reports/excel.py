"""Excel copies of report tables (Chinese headers, numbers as numbers)."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from volunteer.core.cells import append_row
from volunteer.stats.score import NOT_RANKED

GROUP_COLUMNS = [
    ("rank", "排名"), ("name", "名称"), ("score", "综合评分"), ("registered", "报到党员"),
    ("approved", "已审核"),
    ("active", "参与服务"), ("participation", "参与率"), ("hours", "服务时长（小时）"),
    ("services", "服务人次"), ("tasks_posted", "发布项目"), ("tasks_completed", "完成项目"),
    ("wishes_fulfilled", "圆梦微心愿"), ("requests_handled", "办结居民点单"),
    ("avg_quality", "平均服务质量"), ("avg_satisfaction", "平均居民满意度"),
]
MEMBER_COLUMNS = [
    ("name", "姓名"), ("services", "服务次数"), ("hours", "服务时长（小时）"),
    ("wishes", "圆梦微心愿"),
    ("avg_quality", "平均服务质量"), ("avg_satisfaction", "平均居民满意度"),
]
LEVEL_TITLES = {"street": "街道", "community": "社区", "unit": "单位", "branch": "功能型党组织"}


def _sheet(book: Workbook, title: str, heading: str, columns, rows) -> None:
    sheet = book.create_sheet(title=title[:31])
    append_row(sheet, [heading])
    sheet["A1"].font = Font(bold=True, size=13)
    append_row(sheet, [label for _key, label in columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, [_cell(row, key) for key, _label in columns])
    for index, (key, _label) in enumerate(columns, start=1):
        letter = sheet.cell(row=2, column=index).column_letter
        sheet.column_dimensions[letter].width = 22 if key == "name" else 14
        if key == "participation":
            for (cell,) in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
                cell.number_format = "0.0%"


def _cell(row: dict, key: str):
    """A row's value; a rank of None (nothing to rank) is written 未参与."""
    if key == "rank" and row.get("rank", 0) is None:
        return NOT_RANKED
    return row.get(key)


def workbook_for(title: str, tables: dict[str, list[dict]], members: list[dict] | None = None
                 ) -> bytes:
    """A workbook with one sheet per group table (and one for members when given)."""
    book = Workbook()
    book.remove(book.active)
    for level, rows in tables.items():
        _sheet(book, LEVEL_TITLES.get(level, level), f"{title} · {LEVEL_TITLES.get(level, level)}",
               GROUP_COLUMNS, rows)
    if members is not None:
        _sheet(book, "党员", f"{title} · 党员", MEMBER_COLUMNS, members)
    if not book.worksheets:
        book.create_sheet("空")
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
