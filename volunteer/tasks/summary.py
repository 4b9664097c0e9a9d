"""Keeps ``service_months`` equal to the confirmed services it adds up.

A service is a live, confirmed claim that is not a no-show; it counts in the local month in which
its task ends. Rows are recomputed from the claims, never incremented, so a refresh is always
safe to repeat: the tasks service refreshes the member's month whenever it confirms a claim,
marks a no-show or records a rating; the district generator and the demo rebuild everything;
nightly housekeeping rebuilds the last two months as a safety net.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, literal, select

from volunteer.core.periods import Period, containing, local_date
from volunteer.extensions import db
from volunteer.tasks.models import Claim, ServiceMonth, Task

_COLUMNS = ("month", "member_id", "category", "services", "minutes", "quality_sum",
            "quality_n", "satisfaction_sum", "satisfaction_n")


def month_number(month: Period) -> int:
    """The ``service_months.month`` of a month: 202607 for July 2026."""
    return month.start.year * 100 + month.start.month


def served_between(start: datetime, end: datetime) -> list:
    """Conditions selecting the services (claims joined to tasks) whose task ends in
    ``[start, end)``."""
    return [Claim.status == "claimed", Claim.confirmed_at.is_not(None),
            Claim.no_show.is_(False), Task.ends_at >= start, Task.ends_at < end]


def _fill(run, month: Period, member_ids: Iterable[int] | None = None) -> None:
    """Insert the month's rows (of ``member_ids`` only, when given) from the claims."""
    stmt = (
        select(literal(month_number(month)), Claim.member_id, Task.category,
               func.count(Claim.id), func.coalesce(func.sum(Claim.confirmed_minutes), 0),
               func.coalesce(func.sum(Claim.quality), 0), func.count(Claim.quality),
               func.coalesce(func.sum(Claim.satisfaction), 0), func.count(Claim.satisfaction))
        .join(Task, Task.id == Claim.task_id)
        .where(*served_between(month.start_utc, month.end_utc))
        .group_by(Claim.member_id, Task.category)
    )
    if member_ids is not None:
        stmt = stmt.where(Claim.member_id.in_(list(member_ids)))
    run(ServiceMonth.__table__.insert().from_select(_COLUMNS, stmt))


def refresh(pairs: Iterable[tuple[int, datetime]]) -> None:
    """Recompute the rows of each (member id, task end) pair's member and local month."""
    months: dict[Period, set[int]] = defaultdict(set)
    for member_id, ends_at in pairs:
        months[containing("month", local_date(ends_at))].add(member_id)
    if not months:
        return
    db.session.flush()
    for month, member_ids in months.items():
        db.session.execute(delete(ServiceMonth).where(
            ServiceMonth.month == month_number(month), ServiceMonth.member_id.in_(member_ids)))
        _fill(db.session.execute, month, member_ids)


def refresh_claim(claim: Claim) -> None:
    """After a change to one claim's confirmation, hours, ratings or no-show."""
    refresh([(claim.member_id, claim.task.ends_at)])


def rebuild(months: list[Period] | None = None, *, connection=None) -> int:
    """Recompute whole months (by default every month that has a service); returns the number
    of rows written. ``connection`` runs it on a Core connection instead of the session (the
    migration that created the table fills it this way)."""
    run = connection.execute if connection is not None else db.session.execute
    if months is None:
        first, last = run(
            select(func.min(Task.ends_at), func.max(Task.ends_at))
            .join(Claim, Claim.task_id == Task.id).where(Claim.confirmed_at.is_not(None))).one()
        run(delete(ServiceMonth))
        months = [] if first is None else Period(
            "range", containing("month", local_date(first)).start,
            containing("month", local_date(last)).end).months()
    else:
        for month in months:
            run(delete(ServiceMonth).where(ServiceMonth.month == month_number(month)))
    for month in months:
        _fill(run, month)
    if not months:
        return 0
    return run(select(func.count()).select_from(ServiceMonth).where(
        ServiceMonth.month.in_([month_number(m) for m in months]))).scalar_one()
