"""Participation figures computed in SQL aggregates.

A service counts in the period in which its task ends (local time): a task ending at 23:30 on
31 March counts in Q1. Only confirmed, non-no-show, live claims count as service.
"""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Float,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)

from volunteer.auth.models import User
from volunteer.core.periods import Period
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.orgs.models import Branch, Community, Grid, Street, Unit
from volunteer.requests.models import ServiceRequest
from volunteer.review.score import rank_rows
from volunteer.tasks.models import MemberPeriod, MonthTotal, ServiceDay, ServiceMonth, Task
from volunteer.tasks.summary import (
    PERIOD_KINDS,
    SUMS,
    days_between,
    month_number,
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


def _members_of(scope: dict | None):
    conditions = scope_filter(scope)
    if not conditions:
        return None
    return select(User.id).where(User.role == "member", *conditions)


def service_stats(period: Period, scope: dict | None = None):
    """Per member: services, minutes, quality and satisfaction sums and counts in the period.

    Read from the summaries (``tasks.summary``): as they are for a month, quarter, half-year
    or year (``member_periods``), else added up over the period's ``service_months`` (a range of
    whole months) or ``service_days`` (any other range); all give the same figures."""
    if period.kind in PERIOD_KINDS:
        stmt = select(MemberPeriod.member_id.label("member_id"),
                      *[getattr(MemberPeriod, name).label(name) for name in SUMS]
                      ).where(MemberPeriod.period == period.key)
        member_column = MemberPeriod.member_id
    else:
        table, conditions = _summed(period)
        stmt = (select(table.member_id.label("member_id"),
                       *[func.sum(getattr(table, name)).label(name) for name in SUMS])
                .where(*conditions).group_by(table.member_id))
        member_column = table.member_id
    if (members := _members_of(scope)) is not None:
        stmt = stmt.where(member_column.in_(members))
    return stmt.subquery("service_stats")


def _summed(period: Period) -> tuple:
    """The summary table a period's figures are added up from, and the conditions selecting
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
    if (members := _members_of(scope)) is not None:
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
    if (members := _members_of(scope)) is not None:
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


MEMBER_FACTS = ("id", "name", "phone", "community_id", "unit_id", "branch_id", "street_id",
                "email", "grid_id", "services", "minutes", "quality_sum", "quality_n",
                "satisfaction_sum", "satisfaction_n", "wishes", "requests", "request_seconds")
# what ranking (and sorting by the figures ranked on) needs of every member
RANK_FACTS = ("id", "community_id", "unit_id", "services", "minutes", "quality_sum",
              "quality_n", "satisfaction_sum", "satisfaction_n")


def member_facts(period: Period, *, street_id=None, community_id=None, unit_id=None,
                 branch_id=None, grid_id=None, member_ids=None, approved_only=True,
                 by_id=True) -> list[tuple]:
    """Each member of a scope with their figures for the period (inactive members included),
    as tuples in ``MEMBER_FACTS`` order, by member id unless ``by_id`` is false (sorting
    27,000 rows costs the database 10 ms); ``member_row`` makes one a row dict.

    Run on the session's connection: the ORM's result processing would cost more than the
    query for the district's 27,000 members."""
    # ``member_ids`` narrows the per-member sums too: a page's fifty rows cost no more than
    # fifty members' figures, whatever the period
    scope = {"street_id": street_id, "community_id": community_id, "unit_id": unit_id,
             "branch_id": branch_id, "grid_id": grid_id, "member_ids": member_ids}
    stats = service_stats(period, scope)
    wishes = wish_stats(period, scope)
    requests = request_stats(period, scope)
    stmt = (
        select(User.id, User.name, User.phone, User.community_id, User.unit_id, User.branch_id,
               User.street_id, User.email, User.grid_id, *_service_columns(stats),
               func.coalesce(wishes.c.wishes, 0), func.coalesce(requests.c.requests, 0),
               requests.c.request_seconds)
        .outerjoin(stats, stats.c.member_id == User.id)
        .outerjoin(wishes, wishes.c.member_id == User.id)
        .outerjoin(requests, requests.c.member_id == User.id)
        .where(User.role == "member", *scope_filter(scope))
    )
    if by_id:
        stmt = stmt.order_by(User.id)
    if approved_only:
        stmt = stmt.where(User.status == "approved")
    return db.session.connection().execute(stmt).all()


def member_rank_facts(period: Period, **scope) -> list[tuple]:
    """``RANK_FACTS`` of each approved member of a scope, in no particular order: half the
    columns of ``member_facts`` and none of its joins to wishes and requests, so less than
    half its time for the whole district."""
    stats = service_stats(period, scope)
    stmt = (select(User.id, User.community_id, User.unit_id, *_service_columns(stats))
            .outerjoin(stats, stats.c.member_id == User.id)
            .where(User.role == "member", User.status == "approved", *scope_filter(scope)))
    return db.session.connection().execute(stmt).all()


def member_sort_values(period: Period, key: str, **scope) -> dict:
    """One figure of each approved member of a scope, read alone — ``{member id: value}`` —
    for sorting the member table by a column outside the ranked figures without reading every
    member's whole facts: ``name``; ``phone`` as (phone, community id), which decide how it is
    shown; ``wishes`` and ``requests`` (members without any are left out)."""
    if key in ("wishes", "requests"):
        stats = (wish_stats if key == "wishes" else request_stats)(period, scope)
        stmt = (select(stats.c.member_id, stats.c[key])
                .join(User, User.id == stats.c.member_id))
    else:
        fields = [User.name] if key == "name" else [User.phone, User.community_id]
        stmt = select(User.id, *fields)
    stmt = stmt.where(User.role == "member", User.status == "approved", *scope_filter(scope))
    rows = db.session.connection().execute(stmt).all()
    if key == "phone":
        return {member_id: (phone, community_id) for member_id, phone, community_id in rows}
    return dict(rows)


def _service_columns(stats) -> list:
    return [func.coalesce(stats.c.services, 0), func.coalesce(stats.c.minutes, 0),
            stats.c.quality_sum, stats.c.quality_n, stats.c.satisfaction_sum,
            stats.c.satisfaction_n]


def member_row(facts: tuple) -> dict:
    """One member's row dict from their ``member_facts`` tuple."""
    row = dict(zip(MEMBER_FACTS[:9], facts, strict=False))
    for key, compute, positions in _ROW_VALUES:
        row[key] = compute(*(facts[index] for index in positions))
    return row


def member_columns(facts: list[tuple], names: tuple = MEMBER_FACTS) -> dict[str, tuple]:
    """Facts turned into columns: ``{name: values}`` for each of ``names`` (their order)."""
    return dict(zip(names, list(zip(*facts, strict=True)) or [()] * len(names), strict=True))


def member_column(columns: dict[str, tuple], key: str) -> list:
    """``key`` of every member's ``member_row``, from ``member_columns``, without making rows
    (the facts it is computed from must be among the columns)."""
    if key not in _MEMBER_VALUES:
        return list(columns[key])
    compute, sources = _MEMBER_VALUES[key]
    return list(map(compute, *(columns[name] for name in sources)))


def member_hours(minutes) -> float:
    return round(int(minutes) / 60, 1)


def _as_int(value) -> int:
    return int(value or 0)


def _as_float(value) -> float:
    return float(value or 0)


def _average(total, count) -> float | None:
    return _avg(total or 0, count or 0)


# the figures of a member row: how each is computed, from which facts
_MEMBER_VALUES = {
    "services": (_as_int, ("services",)),
    "hours": (member_hours, ("minutes",)),
    "avg_quality": (_average, ("quality_sum", "quality_n")),
    "avg_satisfaction": (_average, ("satisfaction_sum", "satisfaction_n")),
    "wishes": (_as_int, ("wishes",)),
    "requests": (_as_int, ("requests",)),
    "avg_request_hours": (_hours_each, ("request_seconds", "requests")),
    "quality_sum": (_as_float, ("quality_sum",)),
    "quality_n": (_as_int, ("quality_n",)),
    "satisfaction_sum": (_as_float, ("satisfaction_sum",)),
    "satisfaction_n": (_as_int, ("satisfaction_n",)),
}
_ROW_VALUES = [(key, compute, tuple(MEMBER_FACTS.index(name) for name in sources))
               for key, (compute, sources) in _MEMBER_VALUES.items()]


def member_rows(period: Period, **scope) -> list[dict]:
    """``member_facts`` as row dicts (same keywords)."""
    return [member_row(facts) for facts in member_facts(period, **scope)]


def _task_counts(level: str, period: Period, now: datetime, scope: dict | None) -> dict:
    """Tasks posted (starting in the period) and completed (ended, not cancelled) per place."""
    if level not in PLACE_LEVELS:
        return {}
    column = getattr(Task, f"{level}_id")
    in_period = and_(Task.starts_at >= period.start_utc, Task.starts_at < period.end_utc)
    completed = and_(Task.status == "open", Task.ends_at >= period.start_utc,
                     Task.ends_at < period.end_utc, Task.ends_at <= now)
    stmt = (select(column, func.sum(case((and_(in_period, Task.status != "draft"), 1), else_=0)),
                   func.sum(case((completed, 1), else_=0)))
            .where(or_(and_(Task.starts_at >= period.start_utc,
                            Task.starts_at < period.end_utc),
                       and_(Task.ends_at >= period.start_utc, Task.ends_at < period.end_utc)))
            .group_by(column))
    for key, value in (scope or {}).items():
        if value is not None and key in ("street_id", "community_id", "grid_id"):
            stmt = stmt.where(getattr(Task, key) == value)
    return {key: (int(posted or 0), int(done or 0)) for key, posted, done in
            db.session.execute(stmt)}


def _names(level: str, scope: dict) -> list[tuple]:
    """(id, name, parent id) of the groups of a level inside a scope."""
    _column, model = LEVELS[level]
    parent = {"community": Community.street_id, "grid": Grid.community_id,
              "branch": Branch.community_id}.get(level)
    stmt = select(model.id, model.name, parent if parent is not None else literal(None))
    street_id, community_id = scope.get("street_id"), scope.get("community_id")
    if level == "street" and street_id is not None:
        stmt = stmt.where(Street.id == street_id)
    if level == "community":
        if street_id is not None:
            stmt = stmt.where(Community.street_id == street_id)
        if community_id is not None:
            stmt = stmt.where(Community.id == community_id)
    if level in ("grid", "branch"):
        key = Grid.community_id if level == "grid" else Branch.community_id
        if community_id is not None:
            stmt = stmt.where(key == community_id)
        elif street_id is not None:
            stmt = stmt.where(key.in_(select(Community.id).where(
                Community.street_id == street_id)))
    for key in ("unit_id", "branch_id", "grid_id"):
        if scope.get(key) is not None and level == key[:-3]:
            stmt = stmt.where(model.id == scope[key])
    return list(db.session.execute(stmt.order_by(model.id)))


def group_rows(level: str, period: Period, *, street_id=None, community_id=None, unit_id=None,
               branch_id=None, now: datetime | None = None) -> list[dict]:
    """Figures per street, community, grid, unit or branch, ranked by the evaluation score.

    The scope keywords keep the members (and places) counted to one street, community, unit or
    branch; the score is normalised among the rows returned.
    """
    return group_rows_multi((level,), period, street_id=street_id, community_id=community_id,
                            unit_id=unit_id, branch_id=branch_id, now=now)[level]


def group_rows_multi(levels, period: Period, *, street_id=None, community_id=None,
                     unit_id=None, branch_id=None, now: datetime | None = None
                     ) -> dict[str, list[dict]]:
    """``group_rows`` for several levels from one pass over the services (``page_figures``)."""
    return page_figures(levels, period, street_id=street_id, community_id=community_id,
                        unit_id=unit_id, branch_id=branch_id, now=now, charts=False)[0]


def page_figures(levels, period: Period, *, street_id=None, community_id=None, unit_id=None,
                 branch_id=None, now: datetime | None = None, charts: bool = True
                 ) -> tuple[dict[str, list[dict]], list[dict] | None, list[dict] | None]:
    """A dashboard's group tables and (with ``charts``) its monthly trend and category
    breakdown: one statement for all the tables, whatever the number of levels, and two for
    the charts.

    The levels are grouped in batches: the places and branches together (they nest, so their
    combined partial sums stay few), units apart (they cut across places). Each batch groups
    each row source of ``_member_figures`` by its levels; ``UNION ALL`` and an outer
    ``GROUP BY`` add the sources' partial sums up in SQL, and Python adds the combined levels'
    partial sums per level. Returns ``(tables, trend, categories)``, the last two None without
    ``charts``.
    """
    now = now or utcnow()
    scope = {"street_id": street_id, "community_id": community_id, "unit_id": unit_id,
             "branch_id": branch_id}
    # places nest (street ⊃ community ⊃ grid, branch), so their combined partial sums stay few
    # and one GROUP BY serves them all; units cut across them (thousands of unit × street
    # pairs), so the unit table is its own GROUP BY over the same member rows
    batches = [batch for batch in ([lv for lv in levels if lv != "unit"],
                                   [lv for lv in levels if lv == "unit"]) if batch]
    width = max((len(batch) for batch in batches), default=0)
    # the member rows each GROUP BY reads; a row source is grouped on its own and the partial
    # sums of one organisation are added up below. Places count the wishes and requests made
    # there (``_place_counts``), so the members' own counts are read only for a unit or branch
    if period.kind in PERIOD_KINDS:
        sources = [[source.subquery() for source in _member_figures(
            period, scope, any(level not in PLACE_LEVELS for level in batch))]
            for batch in batches]
    else:  # one joined source, built once when two batches read it
        (joined,) = _member_figures(period, scope,
                                    any(level not in PLACE_LEVELS for level in levels))
        joined = (joined.cte("member_figures").prefix_with("MATERIALIZED")
                  if len(batches) > 1 else joined.subquery())
        sources = [[joined] for _batch in batches]
    parts = []
    for number, batch in enumerate(batches):
        for source in sources[number]:
            m = source.c
            columns = [m[f"{level}_id"] for level in batch]
            keys = columns + [literal(None)] * (width - len(columns))
            parts.append(
                select(literal(number).label("part"),
                       *[key.label(f"k{i}") for i, key in enumerate(keys)],
                       *[func.sum(m[name]).label(name) for name in _FIGURES])
                .group_by(*columns))
    partial: dict = {number: [] for number in range(len(batches))}
    if parts:
        # the sources' partial sums of one organisation added up in SQL: one row each
        rows = union_all(*parts).subquery("partial_sums")
        keys = [rows.c[f"k{i}"] for i in range(width)]
        # cast: PostgreSQL sums bigints into numerics, slow to make into Python numbers
        stmt = (select(rows.c.part, *keys, *[
            cast(func.sum(rows.c[name]), Float if name == "request_seconds" else BigInteger)
            for name in _FIGURES]).group_by(rows.c.part, *keys))
        for row in db.session.execute(stmt).all():
            partial[row[0]].append(row[1:])
    sums: dict = {}
    for number, batch in enumerate(batches):
        for index, level in enumerate(batch):
            found = sums[level] = {}
            for row in partial[number]:
                key, values = row[index], row[width:]
                if key is None:
                    continue
                found[key] = values if key not in found else tuple(
                    (a or 0) + (b or 0) for a, b in zip(found[key], values, strict=True))
    tables = {level: _level_rows(level, period, now, scope, sums[level]) for level in levels}
    if not charts:
        return tables, None, None
    return (tables, *trend_and_categories(period, scope))


_FIGURES = ("registered", "approved", "active", "minutes", "services", "quality_sum",
            "quality_n", "satisfaction_sum", "satisfaction_n", "wishes", "requests",
            "request_seconds")
_ORGS = [LEVELS[level][0] for level in LEVELS]


def _member_figures(period: Period, scope: dict, members_own_counts: bool) -> list:
    """Row sources of (street, community, grid, unit, branch, then ``_FIGURES``) whose sums
    per organisation are the group tables' figures.

    For a month, quarter, half-year or year, two sources that need no join of the members to
    their service figures: the members (registered, approved, and — only when a table counts
    its members' own wishes and requests: units, branches — those counts) and the
    ``member_periods`` rows, which carry the members' organisations. Otherwise one source: each
    member with their figures joined to them (their own wish and request counts, again, only
    when a table counts them).
    """
    if period.kind not in PERIOD_KINDS:
        stats = service_stats(period, scope)
        joined = (select(*_ORGS, literal_column("1").label("registered"),
                         case((User.status == "approved", 1), else_=0).label("approved"),
                         case((stats.c.services > 0, 1), else_=0).label("active"),
                         stats.c.minutes, stats.c.services, stats.c.quality_sum,
                         stats.c.quality_n, stats.c.satisfaction_sum, stats.c.satisfaction_n)
                  .outerjoin(stats, stats.c.member_id == User.id)
                  .where(User.role == "member", User.created_at < period.end_utc,
                         *scope_filter(scope)))
        if not members_own_counts:
            return [joined.add_columns(*[literal_column("0").label(name) for name in (
                "wishes", "requests", "request_seconds")])]
        wishes = wish_stats(period, scope)
        requests = request_stats(period, scope)
        return [joined.add_columns(wishes.c.wishes, requests.c.requests,
                                   requests.c.request_seconds)
                .outerjoin(wishes, wishes.c.member_id == User.id)
                .outerjoin(requests, requests.c.member_id == User.id)]

    def row(orgs, **values):
        return [*orgs, *[values.get(name, literal_column("0")).label(name)
                         for name in _FIGURES]]

    in_scope = [User.role == "member", User.created_at < period.end_utc, *scope_filter(scope)]
    members = select(*row(_ORGS, registered=literal_column("1"),
                          approved=case((User.status == "approved", 1), else_=0)))
    if members_own_counts:  # small per-member sums, hashed and probed by the members' scan
        wishes, requests = wish_stats(period, scope), request_stats(period, scope)
        members = (select(*row(_ORGS, registered=literal_column("1"),
                               approved=case((User.status == "approved", 1), else_=0),
                               wishes=wishes.c.wishes, requests=requests.c.requests,
                               request_seconds=requests.c.request_seconds))
                   .outerjoin(wishes, wishes.c.member_id == User.id)
                   .outerjoin(requests, requests.c.member_id == User.id))
    mp = MemberPeriod
    return [
        members.where(*in_scope),
        select(*row([getattr(mp, f"{level}_id") for level in LEVELS],
                    active=literal_column("1"), minutes=mp.minutes, services=mp.services,
                    quality_sum=mp.quality_sum, quality_n=mp.quality_n,
                    satisfaction_sum=mp.satisfaction_sum, satisfaction_n=mp.satisfaction_n))
        .where(mp.period == period.key,
               *[getattr(mp, key) == value for key, value in scope.items()
                 if value is not None]),
    ]


def _level_rows(level: str, period: Period, now: datetime, scope: dict, figures: dict
                ) -> list[dict]:
    tasks = _task_counts(level, period, now, scope)
    places = _place_counts(period, level, scope)
    is_place = level in PLACE_LEVELS
    rows = []
    for group_id, name, parent in _names(level, scope):
        if not is_place and group_id not in figures:
            continue  # units and branches without members are left out
        (registered, approved_n, active_n, minutes, services, q_sum, q_n, s_sum, s_n,
         member_wishes, member_requests, member_seconds) = figures.get(group_id, (0,) * 12)
        place = places.get(group_id, {})
        approved_n, active_n = int(approved_n or 0), int(active_n or 0)
        posted, completed = tasks.get(group_id, (0, 0) if is_place else (None, None))
        handled = place.get("requests", 0) if is_place else int(member_requests or 0)
        seconds = place.get("request_seconds", 0) if is_place else member_seconds
        rows.append({
            "id": group_id, "name": name, "parent_id": parent,
            "registered": int(registered or 0), "approved": approved_n, "active": active_n,
            "participation": round(active_n / approved_n, 4) if approved_n else 0.0,
            "hours": round(int(minutes or 0) / 60, 1), "services": int(services or 0),
            "tasks_posted": posted, "tasks_completed": completed,
            "wishes_fulfilled": place.get("wishes", 0) if is_place else int(member_wishes or 0),
            "requests_handled": handled,
            "avg_request_hours": _hours_each(seconds, handled),
            "avg_quality": _avg(q_sum or 0, q_n or 0),
            "avg_satisfaction": _avg(s_sum or 0, s_n or 0),
            "quality_sum": float(q_sum or 0), "quality_n": int(q_n or 0),
            "satisfaction_sum": float(s_sum or 0), "satisfaction_n": int(s_n or 0),
        })
    rank_rows(rows, per_member=True)
    seen: dict = {}
    for row in rows:  # rank inside the parent (communities in their street, branches …)
        seen[row["parent_id"]] = seen.get(row["parent_id"], 0) + 1
        row["rank_in_parent"] = seen[row["parent_id"]]
    return rows


def trend_months(period: Period) -> list[Period]:
    """The months a trend shows: those of the period, or the six up to it when it is short."""
    months = period.months()
    if len(months) >= 3:
        return months
    last, shown = months[-1], []
    for _ in range(6):
        shown.insert(0, last)
        last = last.previous()
    return shown


def trend_and_categories(period: Period, scope: dict | None = None
                         ) -> tuple[list[dict], list[dict]]:
    """The monthly trend (hours, services and active members per month) and the category
    breakdown (``category_rows``). The whole district reads ``month_totals``; a scope adds up
    its members' ``member_periods`` rows."""
    months = trend_months(period)
    district = _whole_district(scope)
    if district:
        stmt = (select(MonthTotal.month, MonthTotal.services, MonthTotal.minutes,
                       MonthTotal.members)
                .where(MonthTotal.category == "",
                       MonthTotal.month.in_([month_number(month) for month in months])))
    else:
        stmt = (select(MemberPeriod.period, func.sum(MemberPeriod.services),
                       func.sum(MemberPeriod.minutes), func.count())
                .where(MemberPeriod.period.in_([month.key for month in months]))
                .group_by(MemberPeriod.period))
        if (members := _members_of(scope)) is not None:
            stmt = stmt.where(MemberPeriod.member_id.in_(members))
    found = {key: rest for key, *rest in db.session.execute(stmt)}
    trend = []
    for month in months:
        services, minutes, active = found.get(
            month_number(month) if district else month.key, (0, 0, 0))
        trend.append({"month": month.key, "label": month.label, "services": int(services),
                      "hours": round(int(minutes or 0) / 60, 1), "active": int(active)})
    return trend, category_rows(period, scope)


def _whole_district(scope: dict | None) -> bool:
    return not scope_filter(scope)


def category_rows(period: Period, scope: dict | None = None) -> list[dict]:
    """Services and hours per task category in the period, most hours first."""
    from volunteer.tasks.models import category_label

    if whole_months(period) and _whole_district(scope):
        months = period.months()
        stmt = (select(MonthTotal.category, func.sum(MonthTotal.services),
                       func.sum(MonthTotal.minutes))
                .where(MonthTotal.category != "",
                       MonthTotal.month >= month_number(months[0]),
                       MonthTotal.month <= month_number(months[-1]))
                .group_by(MonthTotal.category))
        member_column = None
    else:
        table, conditions = _summed(period)
        stmt = (select(table.category, func.sum(table.services), func.sum(table.minutes))
                .where(*conditions).group_by(table.category))
        member_column = table.member_id
    if (members := _members_of(scope)) is not None:
        stmt = stmt.where(member_column.in_(members))
    rows = [{"category": code, "label": category_label(code), "services": int(n),
             "hours": round(int(minutes) / 60, 1)} for code, n, minutes in db.session.execute(stmt)]
    rows.sort(key=lambda r: (-r["hours"], r["category"]))
    return rows
