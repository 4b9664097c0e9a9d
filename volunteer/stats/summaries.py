"""Keeps the service summaries equal to the confirmed services they add up.

A service is a live, confirmed claim that is not a no-show; it counts on the local day (and in
the month) in which its task ends. These tables hold the sums:

- ``service_days``: per member, local day and task category, added up from the claims (read for
  custom ranges that cut months);
- ``service_months``: per member, local month and task category, added up from
  ``service_days``;
- ``member_periods``: per member and month, quarter, half-year or year, added up from
  ``service_months``;
- ``month_totals``: the whole district per month, per category and in all (with the month's
  active members), for the district's charts.

The first three are also keyed by where the services were earned (``ServicePlace``: the
street, community, grid, unit and branch the member had on the service date, recorded on the
claim by ``tasks.services.place_claims``), so a member who moves house or changes unit or
branch keeps their past hours where they earned them: nothing here follows a move.

Rows are recomputed, never incremented, so a refresh is always safe to repeat: the member's month
is refreshed whenever the tasks service confirms a claim, marks a no-show or records a rating
(the signals ``stats.receivers`` listens to); the district generator and the demo rebuild
everything; nightly housekeeping rebuilds the last two months as a safety net.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, delete, distinct, func, literal, select, text

from volunteer.auth.models import User
from volunteer.core.periods import Period, containing, local_date
from volunteer.core.time import local_zone
from volunteer.extensions import db
from volunteer.stats.models import (
    MemberMove,
    MemberPeriod,
    MonthTotal,
    ServiceDay,
    ServiceMonth,
)
from volunteer.tasks.models import Claim, Task
from volunteer.tasks.services import place_claims

SUMS = ("services", "minutes", "quality_sum", "quality_n", "satisfaction_sum",
         "satisfaction_n")
PERIOD_KINDS = ("month", "quarter", "half", "year")
ORG_COLUMNS = ("street_id", "community_id", "grid_id", "unit_id", "branch_id")
TOTALS_LOCK = 7281  # the advisory-lock class of ``month_totals`` (its second key is the month)


def month_number(month: Period) -> int:
    """The ``service_months.month`` of a month: 202607 for July 2026."""
    return month.start.year * 100 + month.start.month


def day_number(day: date) -> int:
    """The ``service_days.day`` of a local day: 20260715 for 15 July 2026."""
    return day.year * 10000 + day.month * 100 + day.day


def days_between(period: Period) -> list:
    """Conditions selecting the ``service_days`` rows of any period."""
    return [ServiceDay.day >= day_number(period.start),
            ServiceDay.day < day_number(period.end)]


def served_between(start: datetime, end: datetime) -> list:
    """Conditions selecting the services (claims joined to tasks) whose task ends in
    ``[start, end)``."""
    return [Claim.status == "claimed", Claim.confirmed_at.is_not(None),
            Claim.no_show.is_(False), Task.ends_at >= start, Task.ends_at < end]


def months_between(period: Period) -> list:
    """Conditions selecting the ``service_months`` rows of a period made of whole months."""
    months = period.months()
    return [ServiceMonth.month >= month_number(months[0]),
            ServiceMonth.month <= month_number(months[-1])]


def _fill_month(run: Callable, month: Period, member_ids: Iterable[int] | None) -> None:
    """Insert the month's ``service_days`` rows from the claims, then its ``service_months``
    rows from those (of ``member_ids`` only, when given)."""
    # the local day of each service, from its task's end: the first day the task ended before
    # the end of (a CASE over the month's day boundaries, the same SQL on every database)
    days = [month.start + timedelta(days=n) for n in range((month.end - month.start).days)]
    day = case(*[(Task.ends_at < datetime.combine(each + timedelta(days=1), time(),
                                                  local_zone()), day_number(each))
                 for each in days[:-1]], else_=day_number(days[-1]))
    # where each service was earned (0: none); claims are placed before they are summed
    places = [func.coalesce(getattr(Claim, f"member_{name}"), 0).label(name)
              for name in ORG_COLUMNS]
    services = (select(day.label("day"), Claim.member_id, Task.category, *places,
                       Claim.confirmed_minutes, Claim.quality, Claim.satisfaction)
                .join(Task, Task.id == Claim.task_id)
                .where(*served_between(month.start_utc, month.end_utc)))
    if member_ids is not None:
        services = services.where(Claim.member_id.in_(list(member_ids)))
    s = services.subquery("services")
    keys = [s.c.day, s.c.member_id, s.c.category, *[s.c[name] for name in ORG_COLUMNS]]
    run(ServiceDay.__table__.insert().from_select(
        ("day", "member_id", "category", *ORG_COLUMNS, *SUMS),
        select(*keys, func.count(),
               func.coalesce(func.sum(s.c.confirmed_minutes), 0),
               func.coalesce(func.sum(s.c.quality), 0), func.count(s.c.quality),
               func.coalesce(func.sum(s.c.satisfaction), 0), func.count(s.c.satisfaction))
        .group_by(*keys)))
    keys = [ServiceDay.member_id, ServiceDay.category, *_places(ServiceDay)]
    stmt = (select(literal(month_number(month)), *keys,
                   *[func.sum(getattr(ServiceDay, name)) for name in SUMS])
            .where(*days_between(month)).group_by(*keys))
    if member_ids is not None:
        stmt = stmt.where(ServiceDay.member_id.in_(list(member_ids)))
    run(ServiceMonth.__table__.insert().from_select(
        ("month", "member_id", "category", *ORG_COLUMNS, *SUMS), stmt))


def _places(table) -> list:
    """A summary table's place columns (``ServicePlace``)."""
    return [getattr(table, name) for name in ORG_COLUMNS]


def _clear_month(run: Callable, month: Period, member_ids: Iterable[int] | None) -> None:
    """Delete the month's ``service_days`` and ``service_months`` rows (of ``member_ids``)."""
    days = delete(ServiceDay).where(*days_between(month))
    months = delete(ServiceMonth).where(ServiceMonth.month == month_number(month))
    if member_ids is not None:
        days = days.where(ServiceDay.member_id.in_(list(member_ids)))
        months = months.where(ServiceMonth.member_id.in_(list(member_ids)))
    run(days)
    run(months)


def _fill_period(run: Callable, period: Period, member_ids: Iterable[int] | None) -> None:
    """Replace the period's ``member_periods`` rows (of ``member_ids`` only, when given)."""
    cleared = delete(MemberPeriod).where(MemberPeriod.period == period.key)
    keys = [ServiceMonth.member_id, *_places(ServiceMonth)]
    stmt = (select(literal(period.key), *keys,
                   *[func.sum(getattr(ServiceMonth, name)) for name in SUMS])
            .where(*months_between(period)).group_by(*keys))
    if member_ids is not None:
        cleared = cleared.where(MemberPeriod.member_id.in_(list(member_ids)))
        stmt = stmt.where(ServiceMonth.member_id.in_(list(member_ids)))
    run(cleared)
    run(MemberPeriod.__table__.insert().from_select(
        ("period", "member_id", *ORG_COLUMNS, *SUMS), stmt))


def _fill_totals(run: Callable, month: Period) -> None:
    """Replace the month's ``month_totals`` rows: per category from ``service_months``, and
    all categories with the active members from ``member_periods`` (both already current)."""
    number = month_number(month)
    run(delete(MonthTotal).where(MonthTotal.month == number))
    columns = ("month", "category", "services", "minutes", "members")
    run(MonthTotal.__table__.insert().from_select(columns, select(
        literal(number), ServiceMonth.category, func.sum(ServiceMonth.services),
        func.sum(ServiceMonth.minutes), func.count(distinct(ServiceMonth.member_id)))
        .where(ServiceMonth.month == number).group_by(ServiceMonth.category)))
    run(MonthTotal.__table__.insert().from_select(columns, select(
        literal(number), literal(""), func.coalesce(func.sum(MemberPeriod.services), 0),
        func.coalesce(func.sum(MemberPeriod.minutes), 0),
        func.count(distinct(MemberPeriod.member_id)))
        .where(MemberPeriod.period == month.key)))


def record_move(member, now: datetime) -> None:
    """Keep where ``member`` is and their status, just before a change (``MemberMove``)."""
    db.session.add(MemberMove(member_id=member.id, moved_at=now, status=member.status,
                              **{name: getattr(member, name) for name in ORG_COLUMNS}))


def _periods_over(months: Iterable[Period]) -> set[Period]:
    """Every month, quarter, half-year and year holding one of ``months``."""
    return {containing(kind, month.start) for month in months for kind in PERIOD_KINDS}


def refresh(pairs: Iterable[tuple[int, datetime]]) -> None:
    """Recompute the rows of each (member id, task end) pair's member and local month."""
    months: dict[Period, set[int]] = defaultdict(set)
    for member_id, ends_at in pairs:
        months[containing("month", local_date(ends_at))].add(member_id)
    if not months:
        return
    db.session.flush()
    run = db.session.execute
    # one member's rows are rewritten by one transaction at a time: on PostgreSQL two
    # confirmations of the same member would otherwise both insert the rows the other's delete
    # could not see yet (SQLite's BEGIN IMMEDIATE serialises writers already)
    member_ids = sorted(set().union(*months.values()))
    run(select(User.id).where(User.id.in_(member_ids)).order_by(User.id).with_for_update())
    place_claims(member_ids)  # a service is placed where the member is when first counted
    periods: dict[Period, set[int]] = defaultdict(set)
    for month, member_ids in months.items():
        _clear_month(run, month, member_ids)
        _fill_month(run, month, member_ids)
        for period in _periods_over([month]):
            periods[period] |= member_ids
    for period, member_ids in periods.items():
        _fill_period(run, period, member_ids)
    # the district's totals of a month are rewritten by one transaction at a time, after the
    # rows they add up (on PostgreSQL a transaction-scoped advisory lock per month)
    for month in sorted(months, key=lambda m: m.start):
        if db.engine.dialect.name == "postgresql":
            run(select(func.pg_advisory_xact_lock(TOTALS_LOCK, month_number(month))))
        _fill_totals(run, month)


def refresh_claim(claim: Claim) -> None:
    """After a change to one claim's confirmation, hours, ratings or no-show."""
    refresh([(claim.member_id, claim.task.ends_at)])


def rebuild(months: list[Period] | None = None, *, connection=None) -> int:
    """Recompute whole months (by default every month that has a service) and the periods
    holding them; returns the number of ``service_months`` rows written. ``connection`` runs
    it on a Core connection instead of the session (the migration that created the tables
    fills them this way)."""
    run = connection.execute if connection is not None else db.session.execute
    if (connection.dialect if connection is not None else db.engine.dialect).name == "postgresql":
        # a confirmation's refresh waits until the rebuilt months are committed (reads go on)
        run(text("LOCK TABLE service_days, service_months, member_periods, month_totals "
                 "IN EXCLUSIVE MODE"))
    if connection is None:
        place_claims()
    if months is None:
        first, last = run(
            select(func.min(Task.ends_at), func.max(Task.ends_at))
            .join(Claim, Claim.task_id == Task.id).where(Claim.confirmed_at.is_not(None))).one()
        run(delete(ServiceDay))
        run(delete(ServiceMonth))
        run(delete(MemberPeriod))
        run(delete(MonthTotal))
        months = [] if first is None else Period(
            "range", containing("month", local_date(first)).start,
            containing("month", local_date(last)).end).months()
    else:
        for month in months:
            _clear_month(run, month, None)
    for month in months:
        _fill_month(run, month, None)
    for period in sorted(_periods_over(months), key=lambda p: (p.start, p.end)):
        _fill_period(run, period, None)
    for month in months:
        _fill_totals(run, month)
    if not months:
        return 0
    return run(select(func.count()).select_from(ServiceMonth).where(
        ServiceMonth.month.in_([month_number(m) for m in months]))).scalar_one()
