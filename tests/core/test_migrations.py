"""Migrations stand alone: they import nothing of the application but a stable column type, and
the summaries' rebuild frozen into 79ba174f1684 computes what the application's rebuild does."""

import ast
import importlib.util
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.reports.conftest import make_service  # noqa: F401  (a fixture, shared)
from tests.tasks.test_summary import day_rows, period_rows, rows, total_rows
from volunteer.extensions import db
from volunteer.stats import summaries as summary
from volunteer.stats.models import MemberPeriod, MonthTotal, ServiceDay, ServiceMonth

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"
ALLOWED = {"volunteer.core.types"}
CST = timezone(timedelta(hours=8))


def application_imports(source: str) -> list[str]:
    """The modules of ``volunteer`` a migration's source imports (anywhere in it)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "volunteer":
                found += [f"volunteer.{alias.name}" for alias in node.names]
            else:
                found.append(node.module)
    return [name for name in found if name == "volunteer" or name.startswith("volunteer.")]


def test_migrations_import_nothing_of_the_application_but_column_types():
    files = sorted(VERSIONS.glob("*.py"))
    assert files
    offending = {path.name: names for path in files
                 if (names := [n for n in application_imports(path.read_text(encoding="utf-8"))
                               if n not in ALLOWED])}
    assert offending == {}


def test_the_scan_sees_every_form_of_import():
    assert set(application_imports(
        "import volunteer.core.types\nimport sqlalchemy as sa\n"
        "def upgrade():\n    from volunteer.stats.summaries import rebuild\n"
        "from volunteer import demo\nimport volunteer\nfrom volunteers import x\n")) == {
        "volunteer.core.types", "volunteer.stats.summaries", "volunteer.demo", "volunteer"}


def frozen_migration():
    path = next(VERSIONS.glob("79ba174f1684_*.py"))
    spec = importlib.util.spec_from_file_location("migration_79ba174f1684", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_frozen_rebuild_writes_the_rows_of_the_application_rebuild(
        ctx, make_member, make_service, make_grid, make_branch):  # noqa: F811
    # the frozen rebuild knows no places (1a6fd5836625 added them): its members have every
    # organisation, as its member_periods rows copy them and they may not be empty now
    grid = make_grid()
    first, second = (make_member(community=grid.community, grid=grid,
                                 branch=make_branch(grid.community)) for _ in range(2))
    # across local month, quarter, half-year and year boundaries, with ratings, a no-show and
    # an unconfirmed claim (neither counts)
    make_service(first, datetime(2025, 12, 31, 23, 30, tzinfo=CST), quality=4, satisfaction=5)
    make_service(first, datetime(2026, 1, 1, 0, 30, tzinfo=CST), minutes=60)
    make_service(second, datetime(2026, 3, 31, 23, 59, tzinfo=CST), quality=3)
    make_service(second, datetime(2026, 4, 1, 0, 0, tzinfo=CST), satisfaction=2)
    make_service(second, datetime(2026, 6, 30, 16, 0, tzinfo=CST), no_show=True)
    make_service(first, datetime(2026, 7, 2, 9, 0, tzinfo=CST), confirmed=False)
    make_service(first, datetime(2026, 9, 15, 12, 0, tzinfo=CST), minutes=45)
    db.session.commit()
    summary.rebuild()
    db.session.commit()
    expected = day_rows(), rows(), period_rows(), total_rows()
    assert all(expected)
    for table in (ServiceDay, ServiceMonth, MemberPeriod, MonthTotal):
        db.session.execute(table.__table__.delete())
    db.session.execute(ServiceDay.__table__.insert().values(  # a stale row the rebuild clears
        day=20200101, member_id=first.id, category="x", services=9, minutes=9, quality_sum=0,
        quality_n=0, satisfaction_sum=0, satisfaction_n=0))
    db.session.commit()
    with db.engine.begin() as connection:
        frozen_migration()._rebuild(connection)
    assert (day_rows(), rows(), period_rows(), total_rows()) == expected
