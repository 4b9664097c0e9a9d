"""The service side of a member's record (党员档案) a secretary opens: hours, services,
satisfaction ratings and micro-wishes fulfilled. ``members`` asks for it through the
``member_record`` signal (it sits below ``tasks`` and ``wishes``)."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from volunteer.core.periods import containing, local_date
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.tasks.models import Claim, Task
from volunteer.wishes.services import count_fulfilled

LATEST_RATINGS = 5


def _served(member):
    """Conditions of a member's confirmed services (a no-show is none)."""
    return [Claim.member_id == member.id, Claim.status == "claimed",
            Claim.confirmed_at.is_not(None), Claim.no_show.is_(False)]


def _hours(member, start: datetime | None = None, end: datetime | None = None) -> dict:
    stmt = select(func.count(Claim.id), func.coalesce(func.sum(Claim.confirmed_minutes), 0)
                  ).join(Task).where(*_served(member))
    if start is not None:
        stmt = stmt.where(Task.starts_at >= start, Task.starts_at < end)
    count, minutes = db.session.execute(stmt).one()
    return {"services": int(count), "hours": round(int(minutes) / 60, 1)}


def claims_stmt(member):
    """Every claim of the member (cancelled ones too), newest service first."""
    return (select(Claim).join(Task).where(Claim.member_id == member.id)
            .options(joinedload(Claim.task)).order_by(Task.starts_at.desc(), Claim.id.desc()))


def ratings(member) -> dict:
    """Satisfaction ratings the served residents gave: count, average, the latest few."""
    rated = [*_served(member), Claim.satisfaction.is_not(None)]
    count, average = db.session.execute(
        select(func.count(Claim.id), func.avg(Claim.satisfaction)).where(*rated)).one()
    latest = list(db.session.scalars(
        select(Claim).join(Task).where(*rated).options(joinedload(Claim.task))
        .order_by(Task.starts_at.desc(), Claim.id.desc()).limit(LATEST_RATINGS)))
    return {"count": int(count), "average": round(float(average), 1) if count else None,
            "latest": latest}


def member_record(member, now: datetime | None = None) -> dict:
    """Hours (this quarter, in all), the claims' statement, ratings, wishes fulfilled."""
    quarter = containing("quarter", local_date(now or utcnow()))
    return {"quarter": quarter,
            "hours_quarter": _hours(member, quarter.start_utc, quarter.end_utc),
            "hours_total": _hours(member),
            "claims_stmt": claims_stmt(member),
            "ratings": ratings(member),
            "wishes_fulfilled": count_fulfilled(member)}
