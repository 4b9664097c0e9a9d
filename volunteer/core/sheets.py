"""Reading .xlsx and .csv sheets for the imports, and their row-by-row reports.

An import reads a sheet whose first row names the columns (in Chinese, any order), checks each
row on its own, imports the good ones and reports every row: its line, what identifies it, the
outcome and a note (the reason a row was not imported). The report is CSV with a byte-order mark
(spreadsheet programs then read the Chinese); the web page keeps it in the instance folder for
one download.
"""

import csv
import io
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zipfile import BadZipFile

from flask import current_app

from volunteer.core.cells import csv_writer
from volunteer.core.errors import NotFound, ValidationFailed

NOT_IMPORTED = "未导入"
PROGRESS_STEP = 500


@dataclass
class ImportResult:
    """What an import did: rows read, objects created, and one report line per row, shaped
    as ``header`` (the line number first, the outcome and the note last)."""

    header: list[str]
    rows: int = 0
    created: int = 0
    dry_run: bool = False
    report: list[tuple] = field(default_factory=list)

    @property
    def errors(self) -> list[tuple]:
        return [line for line in self.report if line[-2] == NOT_IMPORTED]


def read_sheet(data: bytes, filename: str) -> Iterator[tuple[int, list]]:
    """(line number, cell values) of each row of an .xlsx or .csv file, header first."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError,
                TypeError) as error:  # what openpyxl raises for a damaged or foreign file
            raise ValidationFailed(fields={"file": "无法读取该 Excel 文件"}) from error
        for number, row in enumerate(book.active.iter_rows(values_only=True), start=1):
            yield number, list(row)
        return
    if not name.endswith(".csv"):
        raise ValidationFailed(fields={"file": "请上传 .xlsx 或 .csv 文件"})
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationFailed(fields={"file": "CSV 文件应为 UTF-8 或 GBK 编码"})
    yield from enumerate(csv.reader(io.StringIO(text)), start=1)


def cell_text(value) -> str:
    """A cell as stripped text (a whole number typed into Excel, like a phone, without .0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def records(rows: Iterable[tuple[int, list]], columns: dict[str, str], required: Iterable[str],
            result: ImportResult, *, max_rows: int = 50000,
            progress: Callable[[int], None] | None = None) -> Iterator[tuple[int, dict]]:
    """(line, {key: text}) of each non-blank row, keyed by ``columns`` (header → key), after
    checking the header names every ``required`` column; counts ``result.rows`` and calls
    ``progress`` with the rows handled since its last call."""
    rows = iter(rows)
    try:
        _line, header = next(rows)
    except StopIteration:
        raise ValidationFailed(fields={"file": "文件是空的"}) from None
    header = [cell_text(cell) for cell in header]
    missing = [name for name in required if name not in header]
    if missing:
        raise ValidationFailed(fields={"file": f"缺少列：{'、'.join(missing)}（第一行应为列名）"})
    positions = {columns[name]: index for index, name in enumerate(header) if name in columns}
    for line, cells in rows:
        values = {key: cell_text(cells[index]) if index < len(cells) else ""
                  for key, index in positions.items()}
        if not any(values.values()):
            continue  # a blank line
        result.rows += 1
        if result.rows > max_rows:
            raise ValidationFailed(fields={"file": f"一次最多导入 {max_rows} 行"})
        yield line, values
        if progress and result.rows % PROGRESS_STEP == 0:
            progress(PROGRESS_STEP)
    if progress and result.rows % PROGRESS_STEP:
        progress(result.rows % PROGRESS_STEP)


def report_csv(result: ImportResult) -> str:
    """The row-by-row report as CSV text, in line order."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv_writer(out)
    writer.writerow(result.header)
    writer.writerows(sorted(result.report, key=lambda entry: entry[0]))
    return out.getvalue()


def save_report(result: ImportResult) -> str:
    """Keep the report in the instance folder, readable by the service only (a member
    import's holds the initial passwords), for one download; returns its token."""
    folder = _report_folder()
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    path = folder / f"{token}.csv"
    path.write_text(report_csv(result), encoding="utf-8")
    path.chmod(0o600)
    return token


def report_path(token: str) -> Path:
    """The saved report of ``token``, or NotFound (the file goes once downloaded)."""
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        raise NotFound("导入结果已下载或不存在")
    path = _report_folder() / f"{token}.csv"
    if not path.is_file():
        raise NotFound("导入结果已下载或不存在")
    return path


def purge_reports(older_than_hours: float = 24) -> int:
    """Delete import reports nobody downloaded (they may hold initial passwords) once they are
    a day old; returns how many went."""
    import time

    folder = _report_folder()
    if not folder.is_dir():
        return 0
    limit = time.time() - older_than_hours * 3600
    gone = 0
    for path in folder.glob("*.csv"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            gone += 1
    return gone


def _report_folder() -> Path:
    return Path(current_app.instance_path) / "imports"
