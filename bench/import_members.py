"""Times importing a sheet of 27,000 members on SQLite and PostgreSQL.

    python bench/import_members.py [--engine sqlite|postgresql|both] [--rows 27000]

Reuses (or generates) the district of ``bench/reports.py``, writes an .xlsx of ``--rows``
members living in its communities and working at its units (phones 1991xxxxxxx, which the
generator does not use; one row in a hundred deliberately bad), and runs the importer the CLI
runs (``volunteer import members``): reading the sheet, checking every row, bulk inserts with
initial passwords, up to the last flush; then it rolls back, so the district stays as it was.
"""

import argparse
import io
import random
import time

from _common import ensure_district, make_app
from sqlalchemy import select


def sheet(rows: int, units: list[str], communities: list[str]) -> bytes:
    from openpyxl import Workbook

    chance = random.Random(7)
    book = Workbook(write_only=True)
    page = book.create_sheet("党员")
    page.append(["姓名", "手机号", "工作单位", "居住社区", "专长"])
    for number in range(rows):
        bad = number % 100 == 99  # an unknown unit
        page.append([f"导入党员{number}", f"1991{number:07d}",
                     "不存在的单位" if bad else chance.choice(units),
                     chance.choice(communities), chance.choice(["", "医疗", "法律、心理"])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bench(engine: str, rows: int) -> str:
    url, instance = ensure_district(engine, 1.0)
    app = make_app(url, instance)
    from sqlalchemy import func

    from volunteer.core.sheets import read_sheet
    from volunteer.extensions import db
    from volunteer.members.importer import import_members
    from volunteer.orgs.models import Community, Unit

    with app.app_context():
        units = list(db.session.scalars(select(Unit.name).group_by(Unit.name).having(
            func.count() == 1)))
        names = [name for name, count in db.session.execute(
            select(Community.name, func.count()).group_by(Community.name)) if count == 1]
        data = sheet(rows, units, names)
        started = time.perf_counter()
        result = import_members(read_sheet(data, "members.xlsx"))
        db.session.flush()
        took = time.perf_counter() - started
        # rolled back rather than committed: deleting 27,000 users afterwards makes SQLite
        # search every table that refers to users, row by row
        db.session.rollback()
    return (f"{engine:<11} {result.rows} rows ({len(data) // 1024} KiB .xlsx): "
            f"{result.created} imported, {len(result.errors)} reported, in {took:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rows", type=int, default=27000)
    args = parser.parse_args()
    for engine in ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]:
        print(bench(engine, args.rows), flush=True)


if __name__ == "__main__":
    main()
