"""Times the three reports at district scale on SQLite and PostgreSQL.

    python bench/reports.py [--engine sqlite|postgresql|both] [--scale 1.0]

Generates the district once per engine and scale (bench/out/, a tt_bench_* database), then for
each report: the computation alone (SQL aggregates and routing to recipients), and a full run
(computation, one delivery row and inbox message per recipient, e-mail rows), which it then
deletes so the next run starts clean.
"""

import argparse
import time

from _common import ensure_district, make_app
from sqlalchemy import delete, select

PERIODS = {"monthly-reminder": "2026-11", "quarterly-bulletin": "2026Q3",
           "half-year-summary": "2026H1"}


def bench(engine: str, scale: float) -> list[tuple]:
    url, instance = ensure_district(engine, scale)
    app = make_app(url, instance)
    from volunteer.extensions import db
    from volunteer.notifications.models import Notification
    from volunteer.reports import runner, services
    from volunteer.reports.models import ReportDelivery, ReportRun

    rows = []
    with app.app_context():
        for kind, key in PERIODS.items():
            period = services.parse_report_period(kind, key)
            now = services.due_at(kind, period)
            started = time.perf_counter()
            _shared, recipients = services.build(kind, period, now)
            compute = time.perf_counter() - started
            db.session.rollback()
            existing = services.get_run(kind, period.key)
            if existing is not None:
                _drop(db, existing, ReportDelivery, Notification, ReportRun, delete, select)
            started = time.perf_counter()
            result = runner.run_report(kind, period, now=now, trigger="bench")
            full = time.perf_counter() - started
            rows.append((engine, kind, key, len(recipients), compute, full, result["new"]))
            run = services.get_run(kind, period.key)
            _drop(db, run, ReportDelivery, Notification, ReportRun, delete, select)
    return rows


def _drop(db, run, ReportDelivery, Notification, ReportRun, delete, select):
    ids = list(db.session.scalars(select(ReportDelivery.notification_id).where(
        ReportDelivery.run_id == run.id)))
    db.session.execute(delete(ReportDelivery).where(ReportDelivery.run_id == run.id))
    for start in range(0, len(ids), 5000):
        db.session.execute(delete(Notification).where(Notification.id.in_(ids[start:start + 5000])))
    db.session.execute(delete(ReportRun).where(ReportRun.id == run.id))
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    print(f"{'engine':<11}{'report':<20}{'period':<9}{'recipients':>11}{'compute s':>11}"
          f"{'full run s':>12}", flush=True)
    for engine in engines:
        for engine_name, kind, key, recipients, compute, full, _new in bench(engine, args.scale):
            print(f"{engine_name:<11}{kind:<20}{key:<9}{recipients:>11}{compute:>11.2f}"
                  f"{full:>12.2f}", flush=True)


if __name__ == "__main__":
    main()
