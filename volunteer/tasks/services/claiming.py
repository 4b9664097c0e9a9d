"""认领: the race-free claim rule, cancelling and removing claims, the waitlist."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from volunteer.audit.services import record_action
from volunteer.auth.models import User
from volunteer.core.errors import Conflict, InvalidState, NotAllowed, NotFound
from volunteer.core.metrics import counts_claims
from volunteer.core.text import required_reason
from volunteer.core.time import format_local, utcnow
from volunteer.extensions import db
from volunteer.notifications.services import notify
from volunteer.tasks.models import Claim, Task, WaitlistEntry
from volunteer.tasks.permissions import can_claim_task, can_confirm_claim
from volunteer.tasks.services.errors import (
    AlreadyClaimed,
    CancelTooLate,
    NotApproved,
    NotClaimed,
    TaskClosed,
    TaskFull,
    TimeConflict,
)
from volunteer.tasks.services.reading import _waiting, get_live_claim
from volunteer.tasks.services.settings import _setting, cancel_cutoff


def _check_member(member, task: Task) -> None:
    if member.role != "member":
        raise NotAllowed("只有在职党员可以认领服务项目")
    if member.status != "approved":
        raise NotApproved()
    if not can_claim_task(member, task):
        raise NotFound("找不到该服务项目")


def _holds_claim(member_id: int, task: Task) -> bool:
    return db.session.scalar(select(Claim.id).where(
        Claim.task_id == task.id, Claim.member_id == member_id, Claim.status == "claimed")
        ) is not None


def _has_time_conflict(member_id: int, task: Task) -> bool:
    return db.session.scalar(select(Claim.id).join(Task).where(
        Claim.member_id == member_id, Claim.status == "claimed", Task.id != task.id,
        Task.status == "open", Task.starts_at < task.ends_at, Task.ends_at > task.starts_at)
        .limit(1)) is not None


def _lock_member(member_id: int) -> None:
    # serialises one member's claims on PostgreSQL (SQLite's BEGIN IMMEDIATE already does),
    # so two overlapping tasks cannot both be claimed at once
    db.session.execute(select(User.id).where(User.id == member_id).with_for_update())


def _take_slot(task: Task, now: datetime) -> bool:
    """The race-free step: one conditional UPDATE whose row count says if a slot was won."""
    result = db.session.execute(
        update(Task).where(Task.id == task.id, Task.status == "open", Task.starts_at > now,
                           Task.slots_taken < Task.slots)
        .values(slots_taken=Task.slots_taken + 1).execution_options(synchronize_session=False))
    db.session.expire(task, ["slots_taken", "status"])
    return result.rowcount == 1


def _insert_claim(task: Task, member_id: int) -> Claim:
    claim = Claim(task_id=task.id, member_id=member_id, status="claimed")
    db.session.add(claim)
    try:
        db.session.flush()
    except IntegrityError:
        # the partial unique index: a second live claim of the same member on this task
        raise AlreadyClaimed() from None
    return claim


def _closed(task: Task, now: datetime) -> bool:
    return task.status != "open" or task.starts_at <= now


def _refuse_early(member, task, now: datetime, holds_claim) -> None:
    """The refusals a plain read may give: not a member, not approved, out of reach, closed,
    full. ``task`` is a Task or a row with its columns; ``holds_claim()`` is asked only when the
    task is full (then a member holding a claim hears ``already_claimed``)."""
    _check_member(member, task)
    if _closed(task, now):
        raise TaskClosed()
    if task.slots_taken >= task.slots:  # a read may say "full" safely; only the UPDATE says "won"
        raise AlreadyClaimed() if holds_claim() else TaskFull()


@counts_claims()
def claim_task(member, task: Task, now: datetime | None = None) -> Claim:
    """认领: take one slot of an open task; never more claims than slots, never two per member."""
    now = now or utcnow()
    _refuse_early(member, task, now, lambda: _holds_claim(member.id, task))
    _lock_member(member.id)
    if _holds_claim(member.id, task):
        raise AlreadyClaimed()
    if _has_time_conflict(member.id, task):
        raise TimeConflict()
    if not _take_slot(task, now):
        raise TaskClosed() if _closed(task, now) else TaskFull()
    claim = _insert_claim(task, member.id)
    db.session.execute(update(WaitlistEntry).where(
        WaitlistEntry.task_id == task.id, WaitlistEntry.member_id == member.id,
        WaitlistEntry.status == "waiting").values(status="promoted", ended_at=now)
        .execution_options(synchronize_session=False))
    return claim


def _release_slot(task: Task) -> None:
    db.session.execute(update(Task).where(Task.id == task.id, Task.slots_taken > 0)
                       .values(slots_taken=Task.slots_taken - 1)
                       .execution_options(synchronize_session=False))
    db.session.expire(task, ["slots_taken"])


def _promote_waitlist(task: Task, now: datetime) -> list[Claim]:
    """Give freed slots to the first eligible members waiting; each is told."""
    promoted = []
    for entry in _waiting(task):
        if _closed(task, now) or task.slots_taken >= task.slots:
            break
        member = entry.member
        if (not can_claim_task(member, task) or get_live_claim(member, task) is not None
                or _has_time_conflict(member.id, task)):
            entry.status, entry.ended_at = "skipped", now
            continue
        _lock_member(member.id)
        if not _take_slot(task, now):
            break
        promoted.append(_insert_claim(task, member.id))
        entry.status, entry.ended_at = "promoted", now
        notify(member, "waitlist_promoted", f"候补成功：{task.title}",
               f"有人取消了认领，您已自动获得名额。时间：{format_local(task.starts_at)}，"
               f"地点：{task.location}。", link=f"/tasks/{task.id}")
    return promoted


def cancel_claim(member, task: Task, now: datetime | None = None) -> Claim:
    """The member gives a slot back before the cutoff; the first on the waitlist gets it."""
    now = now or utcnow()
    claim = get_live_claim(member, task)
    if claim is None:
        raise NotClaimed()
    if now > task.starts_at - cancel_cutoff():
        hours = _setting("TASK_CANCEL_CUTOFF_HOURS", 2)
        raise CancelTooLate(f"开始前 {hours} 小时内不能取消，请联系社区书记")
    claim.status, claim.ended_at, claim.end_reason = "cancelled", now, "本人取消"
    db.session.flush()
    _release_slot(task)
    _promote_waitlist(task, now)
    return claim


def remove_claim(actor, claim: Claim, reason: str, now: datetime | None = None) -> Claim:
    """The secretary removes a claimant, with a reason the member is told."""
    if not can_confirm_claim(actor, claim):
        raise NotAllowed()
    now = now or utcnow()
    reason = required_reason(reason)
    if not claim.is_live or claim.confirmed_at is not None:
        raise InvalidState("该认领已结束或已确认，不能移除")
    claim.status, claim.ended_at, claim.end_reason = "removed", now, reason
    db.session.flush()
    _release_slot(claim.task)
    record_action(actor, "remove_claim", claim, task_id=claim.task_id, reason=reason)
    notify(claim.member_id, "claim_removed", f"您已被移出服务项目：{claim.task.title}",
           f"原因：{reason}", link=f"/tasks/{claim.task_id}")
    _promote_waitlist(claim.task, now)
    return claim


def join_waitlist(member, task: Task, now: datetime | None = None) -> WaitlistEntry:
    """Wait for a slot of a full task; the first waiting gets the next freed slot."""
    now = now or utcnow()
    _check_member(member, task)
    if _closed(task, now):
        raise TaskClosed()
    if task.slots_taken < task.slots:
        raise InvalidState("尚有名额，请直接认领", code="task_not_full")
    if get_live_claim(member, task) is not None:
        raise AlreadyClaimed()
    if _has_time_conflict(member.id, task):
        raise TimeConflict()
    entry = WaitlistEntry(task_id=task.id, member_id=member.id)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        raise Conflict("您已在候补名单中", code="already_waiting") from None
    return entry


def leave_waitlist(member, task: Task, now: datetime | None = None) -> WaitlistEntry:
    """Leave a task's waitlist."""
    entry = db.session.scalar(select(WaitlistEntry).where(
        WaitlistEntry.task_id == task.id, WaitlistEntry.member_id == member.id,
        WaitlistEntry.status == "waiting"))
    if entry is None:
        raise InvalidState("您不在候补名单中", code="not_waiting")
    entry.status, entry.ended_at = "left", now or utcnow()
    return entry
