"""Dashboard tables as streamed .xlsx (written by ``core.workbooks``), and service hours as a
flat CSV for the registries.

The workbook is written in openpyxl's write-only mode (rows go to a temporary file as they are
appended, never held as cell objects) and then read back in chunks; the CSV likewise goes
row by row from the database cursor to a temporary file and is sent in chunks.
"""

import os
import tempfile
from collections.abc import Iterator

from sqlalchemy import select

from volunteer.auth.models import User
from volunteer.auth.permissions import mask_phone
from volunteer.core import workbooks
from volunteer.core.cells import csv_writer
from volunteer.core.periods import Period
from volunteer.core.time import to_local
from volunteer.core.workbooks import write_sheets  # noqa: F401  (the chart sheets)
from volunteer.extensions import db
from volunteer.orgs.models import Community, Street
from volunteer.stats import figures
from volunteer.stats.score import EXPLANATION, NOT_RANKED
from volunteer.tasks.models import Claim, Task, category_label

HOURS_CSV_HEADER = ["姓名", "手机号（脱敏）", "服务日期", "服务时长（小时）", "服务项目",
                    "服务类别", "服务组织"]


def write_table(title: str, columns: list[tuple[str, str]], rows, note: str = EXPLANATION
                ) -> str:
    """A dashboard table as a temporary .xlsx file, headed by the score's explanation; a rank
    of None (nothing to rank) is written 未参与."""
    shown = (row if row.get("rank", 0) is not None else {**row, "rank": NOT_RANKED}
             for row in rows)
    return workbooks.write_table(title, columns, shown, note)


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
