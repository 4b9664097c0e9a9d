"""Confirmation and ratings: the secretary confirms hours and quality, marks no-shows; the
resident's satisfaction."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update

from volunteer.audit.services import record_action
from volunteer.auth.models import User
from volunteer.core import signals
from volunteer.core.errors import InvalidState, NotAllowed, ValidationFailed
from volunteer.core.text import REASON_MAX, clean_text
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.notifications.services import notify
from volunteer.tasks.models import Claim, Task
from volunteer.tasks.permissions import (
    can_confirm_claim,
    can_manage_task,
    can_rate_satisfaction,
)
from volunteer.tasks.services.errors import COMMENT_MAX, MAX_HOURS, NothingToConfirm


def _check_rating(field: str, value) -> int:
    if value is None and field == "quality":
        raise ValidationFailed(fields={field: "请选择服务质量（1 到 5 星）"})
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise ValidationFailed(fields={field: "应为 1 到 5 的整数"})
    return value


def _service_over(claim: Claim, now: datetime) -> bool:
    return claim.checked_out_at is not None or now >= claim.task.ends_at


PLACE_COLUMNS = ("street_id", "community_id", "grid_id", "unit_id", "branch_id")


def place_claims(member_ids: Iterable[int] | None = None, *,
                 ended_before: datetime | None = None) -> None:
    """Record where services were earned: each live claim not yet placed gets its member's
    current street, community, grid, unit and branch (``Claim.member_street_id`` …).

    Without ``ended_before``, the confirmed claims (the statistics call this before summing a
    member's month, so a service is placed when it is first counted); with it, also every
    claim whose task ended before then — a member about to move places their past services
    where they are still (``core.signals.member_moving``). ``member_ids`` narrows it to some
    members. One UPDATE with the account's columns read in SQL; placed claims never change.
    """
    over = Claim.confirmed_at.is_not(None)
    if ended_before is not None:
        over = over | Claim.task_id.in_(select(Task.id).where(Task.ends_at <= ended_before))
    stmt = (update(Claim).where(Claim.status == "claimed", Claim.member_community_id.is_(None),
                                over)
            .values({f"member_{name}": select(getattr(User, name))
                     .where(User.id == Claim.member_id).scalar_subquery()
                     for name in PLACE_COLUMNS})
            .execution_options(synchronize_session=False))
    if member_ids is not None:
        stmt = stmt.where(Claim.member_id.in_(list(member_ids)))
    db.session.execute(stmt)


def confirm_claim(actor, claim: Claim, *, quality: int, hours: float | None = None,
                  reason: str | None = None, now: datetime | None = None) -> Claim:
    """The secretary confirms hours and rates quality; hours differing from the member's own
    record are kept as "adjusted", with a reason, and audited."""
    if not can_confirm_claim(actor, claim):
        raise NotAllowed("只有本社区书记可以确认服务时长")
    now = now or utcnow()
    if not claim.is_live:
        raise InvalidState("该认领已取消或被移除")
    if not _service_over(claim, now):
        raise InvalidState("服务结束或党员签退后才能确认")
    errors = {}
    try:
        quality = _check_rating("quality", quality)
    except ValidationFailed as error:
        errors.update(error.fields)
    if hours is None:
        minutes = claim.self_minutes
        if minutes is None:
            errors["hours"] = "该党员没有完整的签到签退记录，请填写服务时长并说明原因"
    elif isinstance(hours, bool) or not isinstance(hours, int | float) \
            or not 0 < hours <= MAX_HOURS:
        errors["hours"] = f"服务时长应大于 0 且不超过 {MAX_HOURS} 小时"
        minutes = None
    else:
        minutes = round(hours * 60)
    adjusted = minutes is not None and minutes != claim.self_minutes
    reason = clean_text(errors, "reason", reason, REASON_MAX, required=adjusted,
                        missing="调整服务时长须说明原因")
    if errors:
        raise ValidationFailed(fields=errors)
    first = claim.confirmed_at is None
    claim.confirmed_minutes, claim.quality, claim.no_show = minutes, quality, False
    claim.adjusted, claim.adjust_reason = adjusted, (reason or None) if adjusted else None
    claim.confirmed_at, claim.confirmed_by_id = now, actor.id
    record_action(actor, "adjust_claim_hours" if adjusted else "confirm_claim", claim,
                  task_id=claim.task_id, minutes=minutes, self_minutes=claim.self_minutes,
                  quality=quality, reason=reason or None)
    signals.claim_confirmed.send(claim)
    if first:
        notify(claim.member_id, "claim_confirmed", f"服务时长已确认：{claim.task.title}",
               f"确认时长 {minutes / 60:.1f} 小时，服务质量 {quality} 星。",
               link="/me/service")
    return claim


def confirmable_stmt(task: Task):
    """The claims a bulk confirmation takes: live, checked out with hours above 0, not yet
    confirmed nor marked absent."""
    return select(Claim).where(
        Claim.task_id == task.id, Claim.status == "claimed", Claim.checked_out_at.is_not(None),
        Claim.self_minutes > 0, Claim.confirmed_at.is_(None), Claim.no_show.is_(False))


def confirm_all(actor, task: Task, *, quality, now: datetime | None = None) -> int:
    """全部按上报时长确认: every checked-out, unconfirmed claim of the task at its own reported
    hours, with one quality rating; returns how many were confirmed."""
    if not can_manage_task(actor, task):
        raise NotAllowed("只有本社区书记可以确认服务时长")
    quality = _check_rating("quality", quality)
    now = now or utcnow()
    # rows locked on PostgreSQL: a second bulk confirmation waits, then finds them confirmed
    claims = list(db.session.scalars(confirmable_stmt(task).order_by(Claim.id)
                                     .with_for_update(of=Claim)))
    if not claims:
        raise NothingToConfirm()
    for claim in claims:
        confirm_claim(actor, claim, quality=quality, now=now)
    record_action(actor, "confirm_all_claims", task, count=len(claims), quality=quality)
    return len(claims)


def mark_no_show(actor, claim: Claim, now: datetime | None = None) -> Claim:
    """Mark a claimant who never came (no check-in) once the task has begun."""
    if not can_confirm_claim(actor, claim):
        raise NotAllowed()
    now = now or utcnow()
    if not claim.is_live:
        raise InvalidState("该认领已取消或被移除")
    if now < claim.task.starts_at:
        raise InvalidState("服务开始后才能标记缺席")
    if claim.checked_in_at is not None:
        raise InvalidState("该党员已签到，不能标记缺席")
    claim.no_show, claim.confirmed_minutes, claim.quality = True, 0, None
    claim.adjusted, claim.adjust_reason = False, None
    claim.confirmed_at, claim.confirmed_by_id = now, actor.id
    record_action(actor, "mark_no_show", claim, task_id=claim.task_id)
    signals.claim_no_show.send(claim)
    notify(claim.member_id, "claim_no_show", f"服务项目记为缺席：{claim.task.title}",
           "如有异议请联系社区书记。", link="/me/service")
    return claim


def rate_satisfaction(actor, claim: Claim, *, satisfaction: int, comment: str | None = None,
                      now: datetime | None = None) -> Claim:
    """The served resident's satisfaction, entered on their behalf by secretary or grid worker."""
    if not can_rate_satisfaction(actor, claim):
        raise NotAllowed()
    now = now or utcnow()
    if not claim.is_live or claim.no_show:
        raise InvalidState("只能评价实际提供的服务")
    if now < claim.task.starts_at:
        raise InvalidState("服务开始后才能评价")
    satisfaction = _check_rating("satisfaction", satisfaction)
    comment = (comment or "").strip() if isinstance(comment, str) or comment is None else None
    if comment is None or len(comment) > COMMENT_MAX:
        raise ValidationFailed(fields={"comment": f"应为不超过 {COMMENT_MAX} 个字符的文本"})
    claim.satisfaction, claim.satisfaction_comment = satisfaction, comment or None
    claim.satisfaction_by_id = actor.id
    record_action(actor, "rate_satisfaction", claim, satisfaction=satisfaction)
    signals.claim_rated.send(claim)
    return claim
