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
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zipfile import BadZipFile, ZipFile

from flask import current_app

from volunteer.core.cells import csv_writer
from volunteer.core.errors import NotFound, ValidationFailed

NOT_IMPORTED = "未导入"
PROGRESS_STEP = 500
MAX_COLUMNS = 100  # columns read from an .xlsx (an import names fewer than ten)
RATIO_FLOOR = 1024 * 1024  # below this unpacked size any packing ratio is cheap to read


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
    """(line number, cell values) of each row of an .xlsx or .csv file, header first.

    Reading is bounded by the ``IMPORT_MAX_*`` settings, so a small file that unpacks into
    millions of rows (a "zip bomb") is refused with a clear message instead of tying up the
    worker: the file's size, an .xlsx's unpacked size and packing ratio (from the archive's
    directory, before openpyxl opens it), the rows read (blank ones too) and the seconds spent
    reading (checked between rows and while the archive is read)."""
    config = current_app.config
    name = filename.lower()
    if not name.endswith((".xlsx", ".csv")):
        raise ValidationFailed(fields={"file": "请上传 .xlsx 或 .csv 文件"})
    check_file_size(len(data))
    clock = _ReadingClock(config["IMPORT_MAX_READ_SECONDS"])
    rows = _xlsx_rows(data, clock) if name.endswith(".xlsx") else _csv_rows(data)
    yield from _bounded(rows, clock, config["IMPORT_MAX_SHEET_ROWS"])


def check_file_size(size: int) -> None:
    """Refuse a file larger than ``IMPORT_MAX_FILE_BYTES`` (the CLI asks before reading it)."""
    limit = current_app.config["IMPORT_MAX_FILE_BYTES"]
    if size > limit:
        raise _too_big(f"文件超过 {_size(limit)}")


def _bounded(rows: Iterator[list], clock: "_ReadingClock", max_rows: int
             ) -> Iterator[tuple[int, list]]:
    """Number the rows, stopping at ``max_rows`` or when reading has taken too long; the
    clock runs only while a row is being read, not while the importer handles it."""
    clock.resume()
    for number, row in enumerate(rows, start=1):
        if number > max_rows:
            raise _too_big(f"表格超过 {max_rows} 行（空行也计算在内）")
        clock.check()
        clock.pause()
        yield number, row
        clock.resume()
    clock.pause()


def _xlsx_rows(data: bytes, clock: "_ReadingClock") -> Iterator[list]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_archive(data)
    # what openpyxl and the XML parser raise for a damaged or foreign file
    damaged = (InvalidFileException, BadZipFile, KeyError, OSError, ValueError, TypeError,
               SyntaxError, EOFError, zlib.error, AttributeError)
    try:
        sheet = load_workbook(_TimedFile(data, clock), read_only=True, data_only=True).active
        columns = min(sheet.max_column or MAX_COLUMNS, MAX_COLUMNS)  # as declared, if sane
        for row in sheet.iter_rows(values_only=True, max_col=columns):
            yield list(row)
    except damaged as error:
        raise ValidationFailed(fields={"file": "无法读取该 Excel 文件"}) from error


def _check_archive(data: bytes) -> None:
    """Refuse an .xlsx whose members would unpack too large, or at an absurd ratio, from the
    sizes its zip directory declares (Python's zipfile never unpacks past a declared size)."""
    config = current_app.config
    try:
        with ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (BadZipFile, OSError, ValueError, EOFError) as error:
        raise ValidationFailed(fields={"file": "无法读取该 Excel 文件"}) from error
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    if unpacked > config["IMPORT_MAX_UNPACKED_BYTES"]:
        raise _too_big(f"该 Excel 文件解压后超过 {_size(config['IMPORT_MAX_UNPACKED_BYTES'])}")
    if unpacked > RATIO_FLOOR and unpacked > config["IMPORT_MAX_PACKING_RATIO"] * max(packed, 1):
        raise _too_big("该 Excel 文件的压缩比异常（通常是含有大量空行或空列）")


def _csv_rows(data: bytes) -> Iterator[list]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationFailed(fields={"file": "CSV 文件应为 UTF-8 或 GBK 编码"})
    try:
        yield from csv.reader(io.StringIO(text))
    except csv.Error as error:  # a field past csv's size limit, a stray quote
        raise ValidationFailed(fields={"file": "无法读取该 CSV 文件：格式有误"}) from error


class _ReadingClock:
    """The seconds spent reading a sheet, against a budget; raises once it is spent."""

    def __init__(self, budget: float):
        self.budget, self.spent, self.since = budget, 0.0, None

    def resume(self) -> None:
        self.since = time.monotonic()

    def pause(self) -> None:
        if self.since is not None:
            self.spent += time.monotonic() - self.since
            self.since = None

    def check(self) -> None:
        running = time.monotonic() - self.since if self.since is not None else 0.0
        if self.spent + running > self.budget:
            raise _too_big(f"读取文件超过 {self.budget:g} 秒，已停止")


class _TimedFile(io.BytesIO):
    """The uploaded bytes, checking the reading clock on every read: openpyxl unpacks the
    sheet through these reads, so a sheet that takes too long to parse stops mid-way."""

    def __init__(self, data: bytes, clock: _ReadingClock):
        super().__init__(data)
        self._clock = clock

    def read(self, size: int | None = -1) -> bytes:
        self._clock.check()
        return super().read(size)


def _too_big(what: str) -> ValidationFailed:
    return ValidationFailed(fields={"file": f"{what}，无法导入；请删除多余的空行和空列，"
                                            "或分成几个文件导入"})


def _size(size: int) -> str:
    return f"{size / 1048576:.3g} MB" if size >= 1048576 else f"{max(1, size // 1024)} KB"


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
