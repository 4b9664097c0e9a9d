"""Attendance: the rotating check-in QR code, check-in and check-out, forgotten check-outs,
reminders before a task starts."""

from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from volunteer.auth.models import User
from volunteer.core.errors import InvalidState, NotAllowed
from volunteer.core.time import format_local, utcnow
from volunteer.extensions import db
from volunteer.notifications.services import notify
from volunteer.tasks.models import Claim, Task
from volunteer.tasks.permissions import can_manage_task
from volunteer.tasks.services.errors import (
    CheckOutTooEarly,
    NotClaimed,
    OutsideWindow,
    QrExpired,
    TaskClosed,
)
from volunteer.tasks.services.reading import get_live_claim
from volunteer.tasks.services.settings import _setting, check_in_early, check_out_late


def _qr_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="tasks.check-in-qr")


def qr_rotate_seconds() -> int:
    return int(_setting("TASK_QR_ROTATE_SECONDS", 180))


def _qr_period(now: datetime) -> int:
    return int(now.timestamp()) // qr_rotate_seconds()


def qr_token(actor, task: Task, now: datetime | None = None) -> str:
    """The task's current on-the-spot check-in token; it rotates every few minutes."""
    if not can_manage_task(actor, task):
        raise NotAllowed()
    return _qr_serializer().dumps([task.id, _qr_period(now or utcnow())])


def task_of_qr_token(token: str, now: datetime | None = None) -> int:
    """The task id inside a current (or just-rotated) token, else QrExpired."""
    try:
        task_id, period = _qr_serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise QrExpired() from None
    if not isinstance(task_id, int) or _qr_period(now or utcnow()) - period not in (0, 1):
        raise QrExpired()
    return task_id


def _claim_for_service(member, task: Task, now: datetime) -> Claim:
    claim = get_live_claim(member, task)
    if claim is None:
        raise NotClaimed()
    if task.status == "cancelled":
        raise TaskClosed("该服务项目已取消")
    opens, closes = task.check_window(check_in_early(), check_out_late())
    if not opens <= now <= closes:
        raise OutsideWindow(f"签到签退时间为 {format_local(opens)} 至 {format_local(closes)}")
    return claim


def service_minutes(task: Task, checked_in_at: datetime, checked_out_at: datetime) -> int:
    """Minutes of service between check-in and check-out, clipped to the task's window."""
    start = max(checked_in_at, task.starts_at)
    end = min(checked_out_at, task.ends_at)
    return max(0, int((end - start).total_seconds() // 60))


def check_in(member, task: Task, *, token: str | None = None,
             now: datetime | None = None) -> Claim:
    """签到 by button, or "scanned" with the token of the task's on-the-spot QR code."""
    now = now or utcnow()
    method = "button"
    if token is not None:
        if task_of_qr_token(token, now) != task.id:
            raise QrExpired("二维码与该服务项目不符")
        method = "scanned"
    claim = _claim_for_service(member, task, now)
    if claim.checked_in_at is not None:
        raise InvalidState("您已签到", code="already_checked_in")
    claim.checked_in_at, claim.check_in_method = now, method
    return claim


def check_out(member, task: Task, now: datetime | None = None) -> Claim:
    """签退; the self-recorded hours follow, clipped to the task's window. Before the task
    starts it is refused (``too_early``): those hours would be 0."""
    now = now or utcnow()
    claim = _claim_for_service(member, task, now)
    if claim.checked_in_at is None:
        raise InvalidState("请先签到", code="not_checked_in")
    if claim.checked_out_at is not None:
        raise InvalidState("您已签退", code="already_checked_out")
    if now < task.starts_at:
        raise CheckOutTooEarly(f"服务 {format_local(task.starts_at, '%H:%M')} 开始，开始后才能签退"
                               "（现在签退时长为 0）")
    claim.checked_out_at = now
    claim.self_minutes = service_minutes(task, claim.checked_in_at, now)
    return claim


def flag_forgotten_checkouts(now: datetime | None = None) -> int:
    """Tell each task's secretaries, once, who checked in but never checked out."""
    now = now or utcnow()
    claims = list(db.session.scalars(select(Claim).join(Task).where(
        Claim.status == "claimed", Claim.checked_in_at.is_not(None),
        Claim.checked_out_at.is_(None), Claim.checkout_flagged_at.is_(None),
        Task.ends_at < now - check_out_late()).order_by(Claim.task_id, Claim.id)))
    by_task: dict[int, list[Claim]] = {}
    for claim in claims:
        claim.checkout_flagged_at = now
        by_task.setdefault(claim.task_id, []).append(claim)
    for task_id, rows in by_task.items():
        task = rows[0].task
        names = "、".join(c.member.name for c in rows)
        for secretary in db.session.scalars(select(User).where(
                User.role == "community_secretary", User.community_id == task.community_id,
                User.active.is_(True))):
            notify(secretary, "checkout_forgotten", f"有党员未签退：{task.title}",
                   f"{names} 签到后未签退，请核实并确认服务时长。",
                   link=f"/tasks/{task_id}/roster")
    return len(claims)


REMINDERS = (("reminded_2h_at", timedelta(hours=2), "2 小时"),
             ("reminded_24h_at", timedelta(hours=24), "24 小时"))


def send_task_reminders(now: datetime | None = None) -> int:
    """Remind each claimant 24 hours and 2 hours before their task starts, once each.

    A claim made less than two hours before the start gets only the 2-hour reminder.
    """
    now = now or utcnow()
    sent = 0
    for column_name, ahead, label in REMINDERS:
        column = getattr(Claim, column_name)
        claims = list(db.session.scalars(select(Claim).join(Task).where(
            Claim.status == "claimed", column.is_(None), Task.status == "open",
            Task.starts_at > now, Task.starts_at <= now + ahead).order_by(Claim.id)))
        for claim in claims:
            setattr(claim, column_name, now)
            if column_name == "reminded_2h_at":
                claim.reminded_24h_at = claim.reminded_24h_at or now
            task = claim.task
            notify(claim.member, "task_reminder", f"服务提醒：{task.title}",
                   f"您认领的服务项目将在{label}内开始：{format_local(task.starts_at)}，"
                   f"地点：{task.location}。如不能参加，请尽早取消以便递补。",
                   link=f"/tasks/{task.id}")
            sent += 1
    return sent
