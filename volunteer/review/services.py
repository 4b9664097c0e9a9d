"""Commendations (评优): a street reviewer marks model volunteers from the ranked candidates."""

from sqlalchemy import select

from volunteer.audit.services import record_action
from volunteer.auth.models import User
from volunteer.commendations.models import Commendation
from volunteer.commendations.services import list_commendations  # noqa: F401  (review's pages)
from volunteer.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from volunteer.core.periods import Period
from volunteer.core.text import required_reason
from volunteer.extensions import db
from volunteer.notifications.services import notify
from volunteer.review.permissions import can_commend_member, can_withdraw_commendation
from volunteer.stats import figures
from volunteer.stats.score import rank_rows

MAX_CITATION = 500


class AlreadyCommended(Conflict):
    code = "already_commended"
    message = "该党员本期已被评为模范志愿者"


def ranked_members(period: Period, **scope) -> list[dict]:
    """The members of a scope with their figures, scored and ranked within that scope."""
    return rank_rows(figures.member_rows(period, **scope))


def commend_member(actor, member: User, period: Period, citation: str) -> Commendation:
    """Commend ``member`` for ``period``; tells the member and their unit's contacts."""
    if not can_commend_member(actor, member):
        raise NotAllowed("只能评选本街道已审核的党员")
    citation = (citation or "").strip()
    if not citation:
        raise ValidationFailed("请填写推荐事迹", fields={"citation": "必填"})
    if len(citation) > MAX_CITATION:
        raise ValidationFailed(fields={"citation": f"不能超过 {MAX_CITATION} 个字符"})
    if db.session.scalar(select(Commendation.id).where(
            Commendation.member_id == member.id, Commendation.period == period.key)):
        raise AlreadyCommended()
    rows = {r["id"]: r for r in ranked_members(period, street_id=member.street_id)}
    row = rows.get(member.id)
    if row is None or not row["services"]:
        raise ValidationFailed("该党员本期没有经确认的服务，不能评为模范志愿者",
                               fields={"member_id": "本期没有服务"})
    commendation = Commendation(
        member_id=member.id, street_id=member.street_id, period=period.key,
        period_label=period.label, period_start=period.start, period_end=period.end,
        citation=citation, score=row["score"], hours=row["hours"], services=row["services"],
        created_by_id=actor.id)
    db.session.add(commendation)
    db.session.flush()
    record_action(actor, "commend_member", commendation, member_id=member.id,
                  period=period.key)
    title = f"{period.label}模范志愿者"
    notify(member, "commendation", f"您被评为{title}",
           f"{citation}\n感谢您在社区服务中的付出！", link="/me/service")
    contacts = db.session.scalars(select(User).where(
        User.role == "unit_contact", User.unit_id == member.unit_id, User.active.is_(True)))
    for contact in contacts:
        notify(contact, "commendation", f"本单位党员{member.name}被评为{title}",
               f"{member.name}（综合评分 {row['score']}，服务 {row['services']} 次，"
               f"{row['hours']} 小时）：{citation}")
    return commendation


def withdraw_commendation(actor, commendation: Commendation, reason: str) -> None:
    """Withdraw a commendation made in error; the member is told why, and it is audited."""
    if not can_withdraw_commendation(actor, commendation):
        raise NotAllowed("只有该街道的审核员可以撤销评优")
    reason = required_reason(reason, "请填写撤销原因")
    record_action(actor, "withdraw_commendation", commendation,
                  member_id=commendation.member_id, period=commendation.period, reason=reason)
    notify(commendation.member_id, "commendation",
           f"{commendation.period_label}模范志愿者评选已撤销", f"撤销原因：{reason}",
           link="/me/service")
    db.session.delete(commendation)


def get_commendation(commendation_id: int) -> Commendation:
    commendation = db.session.get(Commendation, commendation_id)
    if commendation is None:
        raise NotFound("找不到该评优记录")
    return commendation
