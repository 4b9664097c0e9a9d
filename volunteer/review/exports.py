"""Dashboard tables as streamed .xlsx, and service hours as a flat CSV for the registries.

The workbook is written in openpyxl's write-only mode (rows go to a temporary file as they are
appended, never held as cell objects) and then read back in chunks; the CSV likewise goes
row by row from the database cursor to a temporary file and is sent in chunks.
"""

import os
import tempfile
from collections.abc import Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import select

from volunteer.auth.models import User
from volunteer.auth.permissions import mask_phone
from volunteer.core.cells import append_row, csv_writer
from volunteer.core.periods import Period
from volunteer.core.time import to_local
from volunteer.extensions import db
from volunteer.orgs.models import Community, Street
from volunteer.stats import figures
from volunteer.stats.score import EXPLANATION
from volunteer.tasks.models import Claim, Task, category_label

PERCENT_KEYS = {"participation"}
HOURS_CSV_HEADER = ["姓名", "手机号（脱敏）", "服务日期", "服务时长（小时）", "服务项目",
                    "服务类别", "服务组织"]


def write_table(title: str, columns: list[tuple[str, str]], rows, note: str = EXPLANATION
                ) -> str:
    """Write one table to a temporary .xlsx file (write-only mode); returns its path."""
    return write_sheets(title, [("统计", columns, rows)], note)


def write_sheets(title: str, sheets: list[tuple[str, list[tuple[str, str]], object]],
                 note: str = "") -> str:
    """Write tables to one temporary .xlsx file, a sheet each (``(sheet name, columns,
    rows)``), each headed by ``title``; returns its path."""
    book = Workbook(write_only=True)
    for name, columns, rows in sheets:
        _write_sheet(book.create_sheet(title=name[:31]), title, columns, rows, note)
    handle, path = tempfile.mkstemp(prefix="tt-review-", suffix=".xlsx")
    os.close(handle)
    book.save(path)
    return path


def _write_sheet(sheet, title: str, columns: list[tuple[str, str]], rows, note: str) -> None:
    for index, (key, _label) in enumerate(columns):
        letter = chr(ord("A") + index) if index < 26 else "A" + chr(ord("A") + index - 26)
        sheet.column_dimensions[letter].width = 24 if key in ("name", "community", "unit") \
            else 14
    heading = WriteOnlyCell(sheet, value=title)
    heading.font = Font(bold=True, size=13)
    append_row(sheet, [heading])
    if note:
        append_row(sheet, [note])
    header = []
    for _key, label in columns:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = Font(bold=True)
        header.append(cell)
    append_row(sheet, header)
    for row in rows:
        values = []
        for key, _label in columns:
            value = row.get(key)
            if key in PERCENT_KEYS and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "0.0%"
                value = cell
            values.append(value)
        append_row(sheet, values)


def hours_rows(period: Period, scope: dict) -> Iterator[list]:
    """One row per confirmed service in the period: the registries' flat format."""
    stmt = (select(User.name, User.phone, Task.ends_at, Claim.confirmed_minutes, Task.title,
                   Task.category, Street.name, Community.name)
            .join(Claim, Claim.member_id == User.id)
            .join(Task, Task.id == Claim.task_id)
            .join(Community, Community.id == Task.community_id)
            .join(Street, Street.id == Task.street_id)
            .where(*figures.served_in(period), *figures.scope_filter(scope))
            .order_by(User.id, Task.ends_at)
            .execution_options(yield_per=2000))
    for name, phone, ends_at, minutes, title, category, street, community in \
            db.session.execute(stmt):
        yield [name, mask_phone(phone), f"{to_local(ends_at):%Y-%m-%d}",
               round((minutes or 0) / 60, 2), title, category_label(category),
               f"崇川区{street}{community}"]


def write_csv(header: list[str], rows: Iterator[list]) -> str:
    """Write CSV with a UTF-8 byte-order mark (spreadsheet programs then read the Chinese) to
    a temporary file; returns its path. The query is done before the first byte is sent, so no
    database transaction stays open while a slow client downloads."""
    handle, path = tempfile.mkstemp(prefix="tt-hours-", suffix=".csv")
    with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv_writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path
