"""Scopes and a period's activity: each member's services, wishes and requests, and
what each place counts of its own.
"""

from collections.abc import Callable

from sqlalchemy import case, func, select, union_all
from sqlalchemy.orm import aliased

from volunteer.auth.models import User
from volunteer.core.periods import Period
from volunteer.extensions import db
from volunteer.orgs.models import Branch, Community, Grid, Street, Unit
from volunteer.requests.models import ServiceRequest
from volunteer.stats.models import MemberMove, MemberPeriod, ServiceDay, ServiceMonth
from volunteer.stats.summaries import (
    PERIOD_KINDS,
    SUMS,
    days_between,
    months_between,
    served_between,
)
from volunteer.wishes.models import Wish, WishClaim

LEVELS = {
    "street": (User.street_id, Street),
    "community": (User.community_id, Community),
    "grid": (User.grid_id, Grid),
    "unit": (User.unit_id, Unit),
    "branch": (User.branch_id, Branch),
}
# places have their own tasks, wishes and requests; units and branches count their members'
PLACE_LEVELS = ("street", "community", "grid")
SCOPE_COLUMNS = {"street_id": User.street_id, "community_id": User.community_id,
                 "grid_id": User.grid_id, "unit_id": User.unit_id, "branch_id": User.branch_id}


def scope_filter(scope: dict | None) -> list:
    """Conditions on ``User`` for a scope like ``{"street_id": 3}`` (None values ignored);
    ``member_ids`` narrows it to some members."""
    return [User.id.in_(value) if key == "member_ids" else SCOPE_COLUMNS[key] == value
            for key, value in (scope or {}).items() if value is not None]


def members_then(period: Period) -> tuple[dict, Callable]:
    """The members' street, community, grid, unit, branch and status at the end of the period:
    as recorded before their first move after it (``member_moves``), else as they are now.
    Returns those columns and the function adding the joins they need to a statement over
    the members."""
    later = (select(MemberMove.member_id, func.min(MemberMove.id).label("move_id"))
             .where(MemberMove.moved_at >= period.end_utc).group_by(MemberMove.member_id)
             .subquery("moved_later"))
    moved = aliased(MemberMove, name="moved")
    then = {name: case((moved.id.is_(None), getattr(User, name)), else_=getattr(moved, name))
            for name in (*[f"{level}_id" for level in LEVELS], "status")}

    def joined(stmt):
        return (stmt.select_from(User).outerjoin(later, later.c.member_id == User.id)
                .outerjoin(moved, moved.id == later.c.move_id))
    return then, joined


def then_filter(then: dict, scope: dict | None) -> list:
    """``scope_filter`` over the members' organisations at a period's end (``members_then``).

    Each condition on an organisation comes with a superset the indexes can find: the members
    there now, or recorded there before a move. The CASE over the joins alone cannot use the
    ``users`` indexes, and a community's page would scan every member of the district."""
    conditions = []
    for key, value in (scope or {}).items():
        if value is None:
            continue
        if key == "member_ids":
            conditions.append(User.id.in_(value))
            continue
        conditions.append(then[key] == value)
        conditions.append(User.id.in_(union_all(
            select(User.id).where(SCOPE_COLUMNS[key] == value),
            select(MemberMove.member_id).where(getattr(MemberMove, key) == value))))
    return conditions


def _members_of(scope: dict | None, period: Period):
    """The ids of the scope's members at the period's end (``members_then``), None for all."""
    if not scope_filter(scope):
        return None
    then, joined = members_then(period)
    return joined(select(User.id)).where(User.role == "member", *then_filter(then, scope))


def earned_in(table, scope: dict | None) -> list:
    """Conditions selecting the summary rows (``table``: ``member_periods``,
    ``service_months``, ``service_days``) of services earned in a scope like
    ``{"community_id": 3}``: by the place the rows carry, not where the member is now
    (hours stay where they were earned); ``member_ids`` narrows it to some members."""
    return [table.member_id.in_(value) if key == "member_ids"
            else getattr(table, key) == value
            for key, value in (scope or {}).items() if value is not None]


def service_stats(period: Period, scope: dict | None = None):
    """Per member: services, minutes, quality and satisfaction sums and counts in the period,
    of the services earned in the scope (``earned_in``).

    Read from the summaries (``stats.summaries``): for a month, quarter, half-year or year
    ``member_periods``, else the period's ``service_months`` (a range of whole months) or
    ``service_days`` (any other range), added up per member (a member who moved has a row per
    place); all give the same figures."""
    table, conditions = summary_rows(period)
    return (select(table.member_id.label("member_id"),
                   *[func.sum(getattr(table, name)).label(name) for name in SUMS])
            .where(*conditions, *earned_in(table, scope)).group_by(table.member_id)
            .subquery("service_stats"))


def summary_rows(period: Period) -> tuple:
    """The summary table a period's figures are read from, and the conditions selecting its
    rows: ``member_periods`` for a month, quarter, half-year or year, ``service_months`` for
    other whole months, else ``service_days``."""
    if period.kind in PERIOD_KINDS:
        return MemberPeriod, [MemberPeriod.period == period.key]
    return _summed(period)


def _summed(period: Period) -> tuple:
    """The summary table a range's figures are added up from, and the conditions selecting
    its rows: ``service_months`` for whole months, else ``service_days``."""
    if whole_months(period):
        return ServiceMonth, months_between(period)
    return ServiceDay, days_between(period)


def whole_months(period: Period) -> bool:
    """Whether the period is made of whole calendar months (all but most custom ranges)."""
    return period.start.day == 1 and period.end.day == 1


def served_in(period: Period) -> list:
    """Conditions selecting the confirmed services (claims joined to tasks) of a period."""
    return served_between(period.start_utc, period.end_utc)


def wish_stats(period: Period, scope: dict | None = None):
    """Per member: wishes they helped fulfil, confirmed in the period."""
    stmt = (
        select(WishClaim.member_id.label("member_id"), func.count(Wish.id).label("wishes"))
        .join(Wish, Wish.id == WishClaim.wish_id)
        .where(WishClaim.state == "accepted", Wish.status == "confirmed",
               Wish.confirmed_at >= period.start_utc, Wish.confirmed_at < period.end_utc)
        .group_by(WishClaim.member_id)
    )
    if (members := _members_of(scope, period)) is not None:
        stmt = stmt.where(WishClaim.member_id.in_(members))
    return stmt.subquery("wish_stats")


def _seconds_between(start, end):
    """``end - start`` in seconds, in SQL (both columns UTC)."""
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def _requests_done(period: Period) -> list:
    return [ServiceRequest.status == "completed",
            ServiceRequest.completed_at >= period.start_utc,
            ServiceRequest.completed_at < period.end_utc]


def request_stats(period: Period, scope: dict | None = None):
    """Per member: residents' requests they completed in the period, and the time taken."""
    stmt = (
        select(ServiceRequest.assignee_id.label("member_id"),
               func.count(ServiceRequest.id).label("requests"),
               func.sum(_seconds_between(ServiceRequest.created_at,
                                         ServiceRequest.completed_at)).label("request_seconds"))
        .where(*_requests_done(period), ServiceRequest.assignee_id.is_not(None))
        .group_by(ServiceRequest.assignee_id)
    )
    if (members := _members_of(scope, period)) is not None:
        stmt = stmt.where(ServiceRequest.assignee_id.in_(members))
    return stmt.subquery("request_stats")


def _place_counts(period: Period, level: str, scope: dict | None) -> dict:
    """Wishes fulfilled and requests completed (with their time) per street, community, grid."""
    if level not in PLACE_LEVELS:
        return {}
    wish_col = getattr(Wish, f"{level}_id")
    request_col = getattr(ServiceRequest, f"{level}_id")
    found: dict = {}
    wishes = select(wish_col, func.count()).where(
        Wish.status == "confirmed", Wish.confirmed_at >= period.start_utc,
        Wish.confirmed_at < period.end_utc).group_by(wish_col)
    requests = select(request_col, func.count(), func.sum(_seconds_between(
        ServiceRequest.created_at, ServiceRequest.completed_at))).where(
        *_requests_done(period)).group_by(request_col)
    for key, value in (scope or {}).items():
        if value is not None and key in ("street_id", "community_id", "grid_id"):
            wishes = wishes.where(getattr(Wish, key) == value)
            requests = requests.where(getattr(ServiceRequest, key) == value)
    for key, number in db.session.execute(wishes):
        found.setdefault(key, {})["wishes"] = int(number)
    for key, number, seconds in db.session.execute(requests):
        found.setdefault(key, {}).update(requests=int(number), request_seconds=float(seconds or 0))
    return found


def _avg(total, count) -> float | None:
    # PostgreSQL sums are Decimal: convert before the JSON payloads see them
    return round(float(total) / int(count), 2) if count else None


def _hours_each(seconds, count) -> float | None:
    return round(float(seconds or 0) / 3600 / int(count), 1) if count else None
