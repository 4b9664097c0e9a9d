"""Tables as .xlsx files written in openpyxl's write-only mode: rows go to a temporary file as
they are appended, never held as cell objects; every cell through ``core.cells``."""

import os
import tempfile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from volunteer.core.cells import append_row

PERCENT_KEYS = {"participation"}


def write_table(title: str, columns: list[tuple[str, str]], rows, note: str = "") -> str:
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


def write_template(headings: list[str], name: str = "导入") -> str:
    """A sample sheet: one bold header row, nothing else (the importers read row 1 as the
    column names); returns the temporary .xlsx file's path."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=name[:31])
    for index in range(len(headings)):
        sheet.column_dimensions[chr(ord("A") + index)].width = 18
    header = []
    for heading in headings:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = Font(bold=True)
        header.append(cell)
    append_row(sheet, header)
    handle, path = tempfile.mkstemp(prefix="tt-template-", suffix=".xlsx")
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
