"""The group tables (street, community, grid, unit, branch) of a dashboard, built in one pass
over the members' figures."""

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
from volunteer.orgs.models import Branch, Community, Grid, Street
from volunteer.stats.figures.activity import (
    LEVELS,
    PLACE_LEVELS,
    _avg,
    _hours_each,
    _place_counts,
    earned_in,
    members_then,
    request_stats,
    summary_rows,
    then_filter,
    wish_stats,
)
from volunteer.stats.figures.trends import trend_and_categories
from volunteer.stats.models import MemberPeriod
from volunteer.stats.score import rank_rows
from volunteer.stats.summaries import SUMS
from volunteer.tasks.models import Task


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
    sources = [[source.subquery() for source in _member_figures(
        period, scope, any(level not in PLACE_LEVELS for level in batch))]
        for batch in batches]
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


def _member_figures(period: Period, scope: dict, members_own_counts: bool) -> list:
    """Two row sources of (street, community, grid, unit, branch, then ``_FIGURES``) whose
    sums per organisation are the group tables' figures, neither joining the members to their
    service figures.

    The members (registered, approved, and — only when a table counts its members' own wishes
    and requests: units, branches — those counts), by where they were at the period's end
    (``members_then``); and the services,
    by where they were earned: the summary rows of the period (``member_periods`` for a month,
    quarter, half-year or year, else ``service_months`` or ``service_days`` added up per
    member and place), each an active member of its place.
    """
    def row(orgs, **values):
        return [*orgs, *[values.get(name, literal_column("0")).label(name)
                         for name in _FIGURES]]

    then, joined = members_then(period)
    orgs = [then[f"{level}_id"].label(f"{level}_id") for level in LEVELS]
    approved = case((then["status"] == "approved", 1), else_=0)
    in_scope = [User.role == "member", User.created_at < period.end_utc,
                *then_filter(then, scope)]
    members = joined(select(*row(orgs, registered=literal_column("1"), approved=approved)))
    if members_own_counts:  # small per-member sums, hashed and probed by the members' scan
        wishes, requests = wish_stats(period, scope), request_stats(period, scope)
        members = (joined(select(*row(orgs, registered=literal_column("1"), approved=approved,
                                      wishes=wishes.c.wishes, requests=requests.c.requests,
                                      request_seconds=requests.c.request_seconds)))
                   .outerjoin(wishes, wishes.c.member_id == User.id)
                   .outerjoin(requests, requests.c.member_id == User.id))
    table, conditions = summary_rows(period)
    if table is not MemberPeriod:  # a custom range: its rows added up per member and place
        keys = [table.member_id, *[getattr(table, f"{level}_id") for level in LEVELS]]
        table = (select(*keys, *[func.sum(getattr(table, name)).label(name) for name in SUMS])
                 .where(*conditions, *earned_in(table, scope)).group_by(*keys)
                 .subquery("earned")).c
        conditions = []
    else:
        conditions = [*conditions, *earned_in(table, scope)]
    earned = select(*row([getattr(table, f"{level}_id") for level in LEVELS],
                         active=literal_column("1"), minutes=table.minutes,
                         services=table.services, quality_sum=table.quality_sum,
                         quality_n=table.quality_n, satisfaction_sum=table.satisfaction_sum,
                         satisfaction_n=table.satisfaction_n))
    return [members.where(*in_scope), earned.where(*conditions)]


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
    # ranked in the whole table and inside the parent (communities in their street, …)
    rank_rows(rows, per_member=True, within="parent_id")
    return rows
