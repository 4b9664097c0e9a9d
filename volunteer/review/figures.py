"""Participation figures computed in SQL aggregates.

A service counts in the period in which its task ends (local time): a task ending at 23:30 on
31 March counts in Q1. Only confirmed, non-no-show, live claims count as service.
"""

from datetime import datetime

from sqlalchemy import and_, case, func, literal, select

from volunteer.auth.models import User
from volunteer.core.periods import Period
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.orgs.models import Branch, Community, Street, Unit
from volunteer.requests.models import ServiceRequest
from volunteer.tasks.models import Claim, Task
from volunteer.wishes.models import Wish, WishClaim

LEVELS = {
    "street": (User.street_id, Street),
    "community": (User.community_id, Community),
    "unit": (User.unit_id, Unit),
    "branch": (User.branch_id, Branch),
}


def service_stats(period: Period):
    """Per member: services, minutes, quality and satisfaction sums and counts in the period."""
    return (
        select(
            Claim.member_id.label("member_id"),
            func.count(Claim.id).label("services"),
            func.coalesce(func.sum(Claim.confirmed_minutes), 0).label("minutes"),
            func.sum(Claim.quality).label("quality_sum"),
            func.count(Claim.quality).label("quality_n"),
            func.sum(Claim.satisfaction).label("satisfaction_sum"),
            func.count(Claim.satisfaction).label("satisfaction_n"),
        )
        .join(Task, Task.id == Claim.task_id)
        .where(Claim.status == "claimed", Claim.confirmed_at.is_not(None),
               Claim.no_show.is_(False), Task.ends_at >= period.start_utc,
               Task.ends_at < period.end_utc)
        .group_by(Claim.member_id)
        .subquery("service_stats")
    )


def wish_stats(period: Period):
    """Per member: wishes they helped fulfil, confirmed in the period."""
    return (
        select(WishClaim.member_id.label("member_id"), func.count(Wish.id).label("wishes"))
        .join(Wish, Wish.id == WishClaim.wish_id)
        .where(Wish.status == "confirmed", Wish.confirmed_at >= period.start_utc,
               Wish.confirmed_at < period.end_utc)
        .group_by(WishClaim.member_id)
        .subquery("wish_stats")
    )


def _community_counts(period: Period, level: str) -> dict:
    """Wishes fulfilled and requests completed per street or community in the period."""
    wish_col = {"street": Wish.street_id, "community": Wish.community_id}.get(level)
    request_col = {"street": ServiceRequest.street_id,
                   "community": ServiceRequest.community_id}.get(level)
    if wish_col is None:
        return {}
    found: dict = {}
    wishes = select(wish_col, func.count()).where(
        Wish.status == "confirmed", Wish.confirmed_at >= period.start_utc,
        Wish.confirmed_at < period.end_utc).group_by(wish_col)
    for key, number in db.session.execute(wishes):
        found.setdefault(key, {})["wishes"] = int(number)
    requests = select(request_col, func.count()).where(
        ServiceRequest.status == "completed", ServiceRequest.completed_at >= period.start_utc,
        ServiceRequest.completed_at < period.end_utc).group_by(request_col)
    for key, number in db.session.execute(requests):
        found.setdefault(key, {})["requests"] = int(number)
    return found


def _avg(total, count) -> float | None:
    # PostgreSQL sums are Decimal: convert before the JSON payloads see them
    return round(float(total) / int(count), 2) if count else None


def member_rows(period: Period, *, street_id=None, community_id=None, unit_id=None,
                branch_id=None, member_ids=None, approved_only=True) -> list[dict]:
    """Each member of a scope with their figures for the period (inactive members included)."""
    stats = service_stats(period)
    wishes = wish_stats(period)
    stmt = (
        select(User.id, User.name, User.phone, User.community_id, User.unit_id, User.branch_id,
               User.street_id, User.email,
               func.coalesce(stats.c.services, 0), func.coalesce(stats.c.minutes, 0),
               stats.c.quality_sum, stats.c.quality_n, stats.c.satisfaction_sum,
               stats.c.satisfaction_n, func.coalesce(wishes.c.wishes, 0))
        .outerjoin(stats, stats.c.member_id == User.id)
        .outerjoin(wishes, wishes.c.member_id == User.id)
        .where(User.role == "member")
        .order_by(User.id)
    )
    if approved_only:
        stmt = stmt.where(User.status == "approved")
    for column, value in ((User.street_id, street_id), (User.community_id, community_id),
                          (User.unit_id, unit_id), (User.branch_id, branch_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if member_ids is not None:
        stmt = stmt.where(User.id.in_(member_ids))
    rows = []
    for (uid, name, phone, community, unit, branch, street, email, services, minutes, q_sum, q_n,
         s_sum, s_n, wish_count) in db.session.execute(stmt):
        rows.append({"id": uid, "name": name, "phone": phone, "community_id": community,
                     "unit_id": unit, "branch_id": branch, "street_id": street, "email": email,
                     "services": int(services), "hours": round(int(minutes) / 60, 1),
                     "avg_quality": _avg(q_sum or 0, q_n or 0),
                     "avg_satisfaction": _avg(s_sum or 0, s_n or 0),
                     "wishes": int(wish_count)})
    return rows


def _task_counts(level: str, period: Period, now: datetime) -> dict:
    """Tasks posted (starting in the period) and completed (ended, not cancelled) per group."""
    column = {"street": Task.street_id, "community": Task.community_id}.get(level)
    if column is None:
        return {}
    in_period = and_(Task.starts_at >= period.start_utc, Task.starts_at < period.end_utc)
    completed = and_(Task.status == "open", Task.ends_at >= period.start_utc,
                     Task.ends_at < period.end_utc, Task.ends_at <= now)
    stmt = select(column, func.sum(case((and_(in_period, Task.status != "draft"), 1), else_=0)),
                  func.sum(case((completed, 1), else_=0))).group_by(column)
    return {key: (int(posted or 0), int(done or 0)) for key, posted, done in
            db.session.execute(stmt)}


def group_rows(level: str, period: Period, *, street_id=None, now: datetime | None = None
               ) -> list[dict]:
    """Figures per street, community, unit or branch, ranked by hours then participation."""
    now = now or utcnow()
    column, model = LEVELS[level]
    stats = service_stats(period)
    wishes = wish_stats(period)
    approved = case((User.status == "approved", 1), else_=0)
    active = case((stats.c.services > 0, 1), else_=0)
    stmt = (
        select(column.label("group_id"), func.count(User.id), func.sum(approved),
               func.sum(active), func.coalesce(func.sum(stats.c.minutes), 0),
               func.coalesce(func.sum(stats.c.services), 0),
               func.sum(stats.c.quality_sum), func.sum(stats.c.quality_n),
               func.sum(stats.c.satisfaction_sum), func.sum(stats.c.satisfaction_n),
               func.coalesce(func.sum(wishes.c.wishes), 0))
        .outerjoin(stats, stats.c.member_id == User.id)
        .outerjoin(wishes, wishes.c.member_id == User.id)
        .where(User.role == "member", User.created_at < period.end_utc, column.is_not(None))
        .group_by(column)
    )
    if street_id is not None:
        stmt = stmt.where(User.street_id == street_id)
    figures = {row[0]: row[1:] for row in db.session.execute(stmt)}
    parent_column = {"community": Community.street_id, "branch": Branch.community_id}.get(level)
    names_stmt = select(model.id, model.name,
                        parent_column if parent_column is not None else literal(None))
    if street_id is not None and level == "street":
        names_stmt = names_stmt.where(model.id == street_id)
    if street_id is not None and level in ("community", "branch"):
        community_ids = select(Community.id).where(Community.street_id == street_id)
        key = Community.id if level == "community" else Branch.community_id
        names_stmt = names_stmt.where(key.in_(community_ids))
    tasks = _task_counts(level, period, now)
    places = _community_counts(period, level)
    rows = []
    for group_id, name, parent in db.session.execute(names_stmt):
        if level in ("unit", "branch") and group_id not in figures:
            continue  # units and branches without members are left out
        (registered, approved_n, active_n, minutes, services, q_sum, q_n, s_sum, s_n,
         member_wishes) = figures.get(group_id, (0,) * 10)
        place = places.get(group_id, {})
        approved_n, active_n = int(approved_n or 0), int(active_n or 0)
        posted, completed = tasks.get(group_id, (None, None) if level in ("unit", "branch")
                                      else (0, 0))
        rows.append({
            "id": group_id, "name": name, "parent_id": parent,
            "registered": int(registered or 0), "approved": approved_n, "active": active_n,
            "participation": round(active_n / approved_n, 4) if approved_n else 0.0,
            "hours": round(int(minutes or 0) / 60, 1), "services": int(services or 0),
            "tasks_posted": posted, "tasks_completed": completed,
            "wishes_fulfilled": place.get("wishes", 0) if level in ("street", "community")
            else int(member_wishes or 0),
            "requests_handled": place.get("requests", 0) if level in ("street", "community")
            else None,
            "avg_quality": _avg(q_sum or 0, q_n or 0),
            "avg_satisfaction": _avg(s_sum or 0, s_n or 0),
        })
    rows.sort(key=lambda r: (-r["hours"], -r["participation"], r["id"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    seen: dict = {}
    for row in rows:  # rank inside the parent (communities in their street, branches …)
        seen[row["parent_id"]] = seen.get(row["parent_id"], 0) + 1
        row["rank_in_parent"] = seen[row["parent_id"]]
    return rows
