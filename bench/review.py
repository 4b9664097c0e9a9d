"""Times the review dashboards and exports at district scale on SQLite and PostgreSQL.

    python bench/review.py [--engine sqlite|postgresql|both] [--scale 1.0] [--repeat 7]
                           [--only district,street]

Generates the district once per engine and scale (bench/out/, a tt_bench_* database; shared with
bench/reports.py), applies any newer migrations, then requests each dashboard page, the stats
API and each export through the app (Flask test client, logged in as the role that sees it,
server-side: no network), ``--repeat`` times after one warm-up, and prints p50 and p95. In the
same run it times the page's main aggregate written as one raw SQL statement and prints the page
time as a multiple of it.
"""

import argparse
import sqlite3
import time
from pathlib import Path

from _common import ensure_district, make_app, percentile
from sqlalchemy import bindparam, select, text

PERIOD = "2026Q3"
RANGE = "2026-07-15..2026-10-14"
PASSWORD = "Tongtong2026"

# the per-member figures every page starts from (the quarter's ``member_periods`` rows, kept by
# volunteer.stats.summaries) joined to the members and grouped; ``{group}`` and ``{where}`` vary
RAW = """
SELECT {group}, count(*), sum(CASE WHEN u.status = 'approved' THEN 1 ELSE 0 END),
       count(s.member_id), sum(s.minutes), sum(s.services), sum(s.quality_sum),
       sum(s.quality_n)
FROM users u LEFT JOIN member_periods s ON s.member_id = u.id AND s.period = :period
WHERE u.role = 'member' AND u.created_at < :end {where}
GROUP BY {group}
"""


# the same over a range that cuts months: the range's ``service_days`` rows added up per member
RAW_RANGE = RAW.replace(
    "member_periods s ON s.member_id = u.id AND s.period = :period",
    "(SELECT member_id, sum(services) AS services, sum(minutes) AS minutes,"
    " sum(quality_sum) AS quality_sum, sum(quality_n) AS quality_n FROM service_days"
    " WHERE day >= :first_day AND day < :after_day GROUP BY member_id) s ON s.member_id = u.id")


def raw_sql(group: str, where: str = "", statement: str = RAW):
    from volunteer.core.types import UTCDateTime

    return text(statement.format(group=group, where=where)).bindparams(
        bindparam("end", type_=UTCDateTime))


def range_params() -> dict:
    """The raw range statement's parameters for ``RANGE``."""
    from volunteer.core.periods import parse_period
    from volunteer.stats.summaries import day_number

    period = parse_period(RANGE)
    return {"end": period.end_utc, "first_day": day_number(period.start),
            "after_day": day_number(period.end)}


def targets(ids: dict) -> list[tuple]:
    """(name, role, path, raw statement, raw parameters) for each page and export."""
    s, c, b, u = ids["street"], ids["community"], ids["branch"], ids["unit"]
    p = f"period={PERIOD}"
    in_range = range_params()
    return [
        ("district: streets", "district_admin", f"/review/district?{p}",
         raw_sql("u.street_id"), {}),
        ("district: communities", "district_admin", f"/review/district?{p}&table=community",
         raw_sql("u.community_id"), {}),
        ("district: units", "district_admin", f"/review/district?{p}&table=unit",
         raw_sql("u.unit_id"), {}),
        ("district: branches", "district_admin", f"/review/district?{p}&table=branch",
         raw_sql("u.branch_id"), {}),
        ("district: members", "district_admin", f"/review/district?{p}&table=member",
         raw_sql("u.id"), {}),
        ("district: members/hours", "district_admin",
         f"/review/district?{p}&table=member&sort=hours", raw_sql("u.id"), {}),
        # sorted by a column outside the ranked figures: that column is read for everyone
        ("district: members/phone", "district_admin",
         f"/review/district?{p}&table=member&sort=phone", raw_sql("u.id"), {}),
        # a custom range that cuts months: its services are summed from service_days
        ("district: units, range", "district_admin",
         f"/review/district?period={RANGE}&table=unit",
         raw_sql("u.unit_id", statement=RAW_RANGE), in_range),
        ("district: members, range", "district_admin",
         f"/review/district?period={RANGE}&table=member",
         raw_sql("u.id", statement=RAW_RANGE), in_range),
        ("district: members, range/name", "district_admin",
         f"/review/district?period={RANGE}&table=member&sort=name",
         raw_sql("u.id", statement=RAW_RANGE), in_range),
        ("street: communities", "street_reviewer", f"/review/street/{s}?{p}",
         raw_sql("u.community_id", "AND u.street_id = :scope"), {"scope": s}),
        ("street: members", "street_reviewer", f"/review/street/{s}?{p}&table=member",
         raw_sql("u.id", "AND u.street_id = :scope"), {"scope": s}),
        ("community: grids", "community_secretary", f"/review/community/{c}?{p}",
         raw_sql("u.grid_id", "AND u.community_id = :scope"), {"scope": c}),
        ("community: members", "community_secretary",
         f"/review/community/{c}?{p}&table=member",
         raw_sql("u.id", "AND u.community_id = :scope"), {"scope": c}),
        ("branch: members", "branch_secretary", f"/review/branch/{b}?{p}",
         raw_sql("u.id", "AND u.branch_id = :scope"), {"scope": b}),
        ("unit: members", "unit_contact", f"/review/unit/{u}?{p}",
         raw_sql("u.id", "AND u.unit_id = :scope"), {"scope": u}),
        ("API stats community", "district_admin", f"/api/v1/stats?level=community&{p}",
         raw_sql("u.community_id"), {}),
        ("xlsx street members", "street_reviewer",
         f"/review/street/{s}/export.xlsx?{p}&table=member",
         raw_sql("u.id", "AND u.street_id = :scope"), {"scope": s}),
        ("xlsx district members", "district_admin",
         f"/review/district/export.xlsx?{p}&table=member", raw_sql("u.id"), {}),
        ("csv district hours", "district_admin", f"/review/district/hours.csv?{p}", None, {}),
    ]


def pick_ids(db) -> tuple[dict, dict]:
    """A street, community, branch and unit with members, and a staff phone for each role."""
    from volunteer.auth.models import User

    member = db.session.scalar(select(User).where(
        User.role == "member", User.branch_id.is_not(None)).order_by(User.id))
    with_members = select(User.unit_id).where(User.role == "member")
    unit = db.session.scalar(select(User.unit_id).where(
        User.role == "unit_contact", User.unit_id.in_(with_members)).order_by(User.id))
    ids = {"street": member.street_id, "community": member.community_id,
           "branch": member.branch_id, "unit": unit}
    scopes = {"district_admin": None, "street_reviewer": ("street_id", ids["street"]),
              "community_secretary": ("community_id", ids["community"]),
              "branch_secretary": ("branch_id", ids["branch"]),
              "unit_contact": ("unit_id", ids["unit"])}
    phones = {}
    for role, scope in scopes.items():
        stmt = select(User.phone).where(User.role == role).order_by(User.id)
        if scope:
            stmt = stmt.where(getattr(User, scope[0]) == scope[1])
        phones[role] = db.session.scalar(stmt)
    return ids, phones


def own_copy(url: str, instance: Path) -> tuple[str, Path]:
    """A private copy of the shared SQLite district (SQLite's backup API, safe while another
    benchmark writes to it), so this one never waits for the other's write lock."""
    copy = instance.with_name(instance.name + "-review")
    target = copy / "volunteer.sqlite3"
    if not (copy / "copied").exists():
        copy.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=60)
        destination = sqlite3.connect(target)
        with destination:
            source.backup(destination)
        source.close()
        destination.close()
        (copy / "copied").write_text("1\n")
    return f"sqlite:///{target}", copy


def bench(engine: str, scale: float, repeat: int, only: list[str] | None = None
          ) -> list[tuple]:
    url, instance = ensure_district(engine, scale)
    if engine == "sqlite":
        url, instance = own_copy(url, instance)
    app = make_app(url, instance)
    app.config["WTF_CSRF_ENABLED"] = False
    from flask_migrate import upgrade

    from volunteer.core.periods import parse_period
    from volunteer.extensions import db
    from volunteer.seed.generate import analyse

    period = parse_period(PERIOD)
    with app.app_context():
        upgrade()
        db.session.commit()
        # statistics for indexes a migration just added; on PostgreSQL a vacuum too, as
        # autovacuum (off on these machines) would have done after the bulk load
        analyse()
        ids, phones = pick_ids(db)
        db.session.remove()
    clients = {}
    for role, phone in phones.items():
        client = app.test_client()
        response = client.post("/login", data={"phone": phone, "password": PASSWORD})
        assert response.status_code == 302, (role, response.status_code)
        clients[role] = client
    results = []
    for name, role, path, raw, params in targets(ids):
        if only and not any(part in name for part in only):
            continue
        export = "export" in path or ".csv" in path
        runs = max(2, repeat // 3) if export else repeat
        times, size = [], 0
        for attempt in range(runs + 1):
            started = time.perf_counter()
            response = clients[role].get(path)
            body = response.get_data()
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (name, response.status_code, body[:300])
            size = len(body)
            if attempt:  # the first request warms caches
                times.append(elapsed)
        raw_times = []
        if raw is not None:
            with app.app_context():
                for _ in range(runs):
                    started = time.perf_counter()
                    db.session.execute(raw, {"period": period.key, "end": period.end_utc,
                                             **params}).fetchall()
                    raw_times.append(time.perf_counter() - started)
                db.session.remove()
        raw_p50 = percentile(raw_times, 0.5) if raw_times else None
        results.append((engine, name, percentile(times, 0.5), percentile(times, 0.95),
                        raw_p50, size))
        print(_line(results[-1]), flush=True)
    return results


def _line(row: tuple) -> str:
    engine, name, p50, p95, raw, size = row
    ratio = f"{p50 / raw:>7.1f}×" if raw else f"{'—':>8}"
    raw_text = f"{raw * 1000:>9.0f}" if raw else f"{'—':>9}"
    return (f"{engine:<11}{name:<30}{p50 * 1000:>9.0f}{p95 * 1000:>9.0f}{raw_text}{ratio}"
            f"{size / 1024:>10.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", help="comma-separated parts of page names to time")
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    print(f"period {PERIOD}, {args.repeat} requests per page after a warm-up "
          f"(exports {max(2, args.repeat // 3)})")
    print(f"{'engine':<11}{'page':<30}{'p50 ms':>9}{'p95 ms':>9}{'raw ms':>9}{'× raw':>8}"
          f"{'KiB':>10}")
    for engine in engines:
        bench(engine, args.scale, args.repeat, args.only.split(",") if args.only else None)


if __name__ == "__main__":
    main()
