"""The member's record: my claims, this month's and year's totals, the service certificate."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, select

from volunteer.core.errors import NotAllowed, ValidationFailed
from volunteer.core.time import to_local, utcnow
from volunteer.extensions import db
from volunteer.tasks.models import Claim, Task
from volunteer.tasks.services.settings import local_datetime


def list_my_claims_stmt(member, *, when: str | None = None, now: datetime | None = None):
    """A member's claims: ``upcoming`` (live, service not yet over), ``history`` (the rest),
    or all."""
    now = now or utcnow()
    stmt = select(Claim).join(Task).where(Claim.member_id == member.id)
    upcoming = and_(Claim.status == "claimed", Task.status == "open", Task.ends_at > now,
                    Claim.checked_out_at.is_(None), Claim.confirmed_at.is_(None))
    if when == "upcoming":
        return stmt.where(upcoming).order_by(Task.starts_at, Claim.id)
    if when == "history":
        stmt = stmt.where(~upcoming)
    return stmt.order_by(Task.starts_at.desc(), Claim.id.desc())


def _period(now: datetime, *, year: bool) -> tuple[datetime, datetime]:
    local = to_local(now)
    if year:
        first, following = date(local.year, 1, 1), date(local.year + 1, 1, 1)
    else:
        first = date(local.year, local.month, 1)
        following = date(local.year + local.month // 12, local.month % 12 + 1, 1)
    return local_datetime(first, time()), local_datetime(following, time())


def sum_confirmed(member, start: datetime, end: datetime) -> tuple[int, int]:
    """(services, confirmed minutes) of a member's tasks starting in ``[start, end)``."""
    row = db.session.execute(select(func.count(Claim.id), func.coalesce(
        func.sum(Claim.confirmed_minutes), 0)).join(Task).where(
        Claim.member_id == member.id, Claim.status == "claimed",
        Claim.confirmed_at.is_not(None), Claim.no_show.is_(False),
        Task.starts_at >= start, Task.starts_at < end)).one()
    return int(row[0]), int(row[1])


def service_totals(member, now: datetime | None = None) -> dict:
    """Confirmed services and hours this month and this year (local calendar)."""
    now = now or utcnow()
    totals = {}
    for name, year in (("month", False), ("year", True)):
        count, minutes = sum_confirmed(member, *_period(now, year=year))
        totals[name] = {"services": count, "hours": round(minutes / 60, 1)}
    return totals


def certificate(member, start: date, end: date) -> dict:
    """服务证明: a member's confirmed services with tasks starting between two local dates."""
    if member.role != "member":
        raise NotAllowed()
    if not isinstance(start, date) or not isinstance(end, date):
        raise ValidationFailed(fields={"start": "应为日期"})
    if end < start:
        raise ValidationFailed(fields={"end": "结束日期不能早于开始日期"})
    if (end - start).days > 366 * 3:
        raise ValidationFailed(fields={"end": "证明期间不能超过 3 年"})
    since, until = local_datetime(start, time()), local_datetime(end + timedelta(days=1), time())
    claims = list(db.session.scalars(select(Claim).join(Task).where(
        Claim.member_id == member.id, Claim.status == "claimed",
        Claim.confirmed_at.is_not(None), Claim.no_show.is_(False),
        Task.starts_at >= since, Task.starts_at < until).order_by(Task.starts_at)))
    minutes = sum(c.confirmed_minutes or 0 for c in claims)
    return {"member": member, "start": start, "end": end, "claims": claims,
            "services": len(claims), "hours": round(minutes / 60, 1)}
