"""Member facts: every member's figures of a period as tuples, the rows and columns built
from them, the facts ranking needs and the values the member tables sort by."""

from sqlalchemy import and_, func, or_, select, true

from volunteer.auth.models import User
from volunteer.core.periods import Period
from volunteer.extensions import db
from volunteer.stats.figures.activity import (
    _avg,
    _hours_each,
    members_then,
    request_stats,
    scope_filter,
    service_stats,
    then_filter,
    wish_stats,
)
from volunteer.stats.models import MemberMove

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
    then, joined = members_then(period)
    stmt = (
        joined(select(User.id, User.name, User.phone, then["community_id"], then["unit_id"],
                      then["branch_id"], then["street_id"], User.email, then["grid_id"],
                      *_service_columns(stats), func.coalesce(wishes.c.wishes, 0),
                      func.coalesce(requests.c.requests, 0), requests.c.request_seconds))
        .outerjoin(stats, stats.c.member_id == User.id)
        .outerjoin(wishes, wishes.c.member_id == User.id)
        .outerjoin(requests, requests.c.member_id == User.id)
        .where(User.role == "member", _listed(then, scope, stats, approved_only))
    )
    if by_id:
        stmt = stmt.order_by(User.id)
    return db.session.connection().execute(stmt).all()


def _listed(then: dict, scope: dict, stats, approved_only: bool = True):
    """Who a scope's member table lists for a period: its (approved) members at the period's
    end (``then``: ``members_then``), and whoever earned hours in it (``stats``:
    ``service_stats`` of the scope) — a member who moved stays in the tables of the periods
    they served in, with the hours earned there, and counts where they were then."""
    members = [*then_filter(then, scope),
               *([then["status"] == "approved"] if approved_only else [])]
    if not members:
        return true()
    return or_(and_(*members), stats.c.member_id.is_not(None))


def member_rank_facts(period: Period, **scope) -> list[tuple]:
    """``RANK_FACTS`` of each approved member of a scope, in no particular order: half the
    columns of ``member_facts`` and none of its joins to wishes and requests, so less than
    half its time for the whole district."""
    stats = service_stats(period, scope)
    then, joined = members_then(period)
    stmt = (joined(select(User.id, then["community_id"], then["unit_id"],
                          *_service_columns(stats)))
            .outerjoin(stats, stats.c.member_id == User.id)
            .where(User.role == "member", _listed(then, scope, stats)))
    return db.session.connection().execute(stmt).all()


def member_sort_values(period: Period, key: str, **scope) -> dict:
    """One figure of each approved member of a scope, read alone — ``{member id: value}`` —
    for sorting the member table by a column outside the ranked figures without reading every
    member's whole facts: ``name``; ``phone`` as (phone, community id), which decide how it is
    shown; ``wishes`` and ``requests`` (members without any are left out)."""
    # every member a table may list (``_listed``): those of the scope now, and those who moved
    # (they may have been in it, or served in it, then)
    if key in ("wishes", "requests"):
        stats = (wish_stats if key == "wishes" else request_stats)(period)
        stmt = (select(stats.c.member_id, stats.c[key])
                .join(User, User.id == stats.c.member_id))
    else:
        fields = [User.name] if key == "name" else [User.phone, User.community_id]
        stmt = select(User.id, *fields)
    stmt = stmt.where(User.role == "member")
    if here := scope_filter(scope):
        stmt = stmt.where(or_(and_(*here), User.id.in_(select(MemberMove.member_id))))
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
