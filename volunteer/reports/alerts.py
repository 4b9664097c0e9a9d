"""Hourly alerts to community secretaries: overdue residents' requests and flagged wishes.

A secretary is told at most once per local day, and only when something is waiting.
"""

from datetime import datetime, time

from sqlalchemy import func, select

from volunteer.auth.models import User
from volunteer.core.periods import local_date
from volunteer.core.time import local_zone, utcnow
from volunteer.extensions import db
from volunteer.notifications.models import Notification
from volunteer.notifications.services import notify
from volunteer.requests.models import ServiceRequest
from volunteer.requests.services import overdue_clause
from volunteer.wishes.models import Wish
from volunteer.wishes.services import flag_clause

KIND = "overdue_alert"


def _per_community(stmt) -> dict[int, int]:
    return {community: int(number) for community, number in db.session.execute(stmt)}


def alert_overdue(now: datetime | None = None) -> int:
    """Tell each secretary whose community has late requests or wishes; answers how many."""
    now = now or utcnow()
    requests = _per_community(select(ServiceRequest.community_id, func.count())
                              .where(overdue_clause(now)).group_by(ServiceRequest.community_id))
    unclaimed = _per_community(select(Wish.community_id, func.count())
                               .where(flag_clause("unclaimed", now)).group_by(Wish.community_id))
    late = _per_community(select(Wish.community_id, func.count())
                          .where(flag_clause("overdue", now)).group_by(Wish.community_id))
    communities = set(requests) | set(unclaimed) | set(late)
    if not communities:
        return 0
    today = datetime.combine(local_date(now), time(), local_zone())
    already = set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == KIND, Notification.created_at >= today)))
    told = 0
    secretaries = db.session.scalars(select(User).where(
        User.role == "community_secretary", User.active.is_(True),
        User.community_id.in_(communities)))
    for secretary in secretaries:
        if secretary.id in already:
            continue
        parts = []
        if requests.get(secretary.community_id):
            parts.append(f"{requests[secretary.community_id]} 件居民点单超时未接单或未派单")
        if unclaimed.get(secretary.community_id):
            parts.append(f"{unclaimed[secretary.community_id]} 个微心愿发布 7 天仍无人认领")
        if late.get(secretary.community_id):
            parts.append(f"{late[secretary.community_id]} 个微心愿已过期限")
        notify(secretary, KIND, "待办提醒：有超时事项", "；".join(parts) + "。",
               link="/requests?overdue=1" if requests.get(secretary.community_id)
               else "/wishes?flag=unclaimed", email_kind="request_update")
        told += 1
    return told
