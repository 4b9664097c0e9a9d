"""The one notification service: every event that tells a user something goes through here.

A notification always lands in the inbox; when the user has an e-mail address and has not opted
out of that kind, an e-mail delivery row is queued with it and sent after the commit by
``notifications.outbox.send_due_emails`` (the scheduler's outbox job), retried with back-off on
failure.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update

from volunteer.auth.models import User
from volunteer.core.errors import NotAllowed, NotFound, ValidationFailed
from volunteer.core.i18n import N_
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.notifications.mail import build_message, get_backend
from volunteer.notifications.models import EmailDelivery, EmailOptOut, Notification

# kinds a user may opt out of by e-mail; anything else is always mailed (when an address exists)
EMAIL_KINDS = {
    "monthly_reminder": N_("一月一提醒"),
    "quarterly_bulletin": N_("一季一通报"),
    "half_year_summary": N_("半年一总结"),
    "task_reminder": N_("服务项目开始前提醒"),
    "task_update": N_("服务项目变动（取消、递补、移除）"),
    "wish_update": N_("微心愿动态"),
    "request_update": N_("居民点单动态"),
    "member_review": N_("报到审核结果"),
}
MAX_EMAIL_ATTEMPTS = 6
SEND_LEASE = timedelta(minutes=5)


GROUP_BY_PREFIX = {"task": "task_update", "claim": "task_update", "waitlist": "task_update",
                   "wish": "wish_update", "request": "request_update", "member": "member_review"}


def email_group(kind: str) -> str:
    """The opt-out group of a notification kind (``task_cancelled`` → ``task_update``)."""
    if kind in EMAIL_KINDS:
        return kind
    return GROUP_BY_PREFIX.get(kind.split("_", 1)[0], kind)


def _opted_out(user_id: int, kind: str) -> bool:
    return db.session.get(EmailOptOut, (user_id, kind)) is not None


def notify(user, kind: str, title: str, body: str = "", link: str | None = None,
           html: str | None = None, email_kind: str | None = None) -> Notification:
    """Put a message in ``user``'s inbox and queue its e-mail (flushed with the caller's work).

    ``email_kind`` names the opt-out group (see EMAIL_KINDS); by default ``email_group(kind)``.
    """
    if not hasattr(user, "id"):
        user = db.session.get(User, int(user))
    row = Notification(user_id=user.id, kind=kind, title=title[:200], body=body, link=link,
                       html=html)
    db.session.add(row)
    if user.email and not _opted_out(user.id, email_kind or email_group(kind)):
        db.session.add(EmailDelivery(notification=row, address=user.email))
    return row


def list_email_preferences(user) -> dict[str, bool]:
    """Each opt-out-able kind and whether ``user`` receives it by e-mail."""
    out = set(db.session.scalars(select(EmailOptOut.kind).where(EmailOptOut.user_id == user.id)))
    return {kind: kind not in out for kind in EMAIL_KINDS}


def set_email_preferences(user, wanted: dict[str, bool]) -> dict[str, bool]:
    """Opt in or out of e-mail per kind; the inbox always keeps every message."""
    unknown = [kind for kind in wanted if kind not in EMAIL_KINDS]
    if unknown:
        raise ValidationFailed(fields={kind: "未知的通知类别" for kind in unknown})
    for kind, receive in wanted.items():
        row = db.session.get(EmailOptOut, (user.id, kind))
        if receive and row is not None:
            db.session.delete(row)
        elif not receive and row is None:
            db.session.add(EmailOptOut(user_id=user.id, kind=kind))
    db.session.flush()
    return list_email_preferences(user)


def claim_due_emails(now: datetime | None = None, limit: int = 100) -> list[int]:
    """Take a lease on due e-mail deliveries (so two senders never send one twice at once)."""
    now = now or utcnow()
    ids = list(db.session.scalars(
        select(EmailDelivery.id).where(EmailDelivery.status == "pending",
                                       EmailDelivery.next_attempt_at <= now)
        .order_by(EmailDelivery.next_attempt_at).limit(limit)))
    taken = []
    for delivery_id in ids:
        result = db.session.execute(
            update(EmailDelivery).where(EmailDelivery.id == delivery_id,
                                        EmailDelivery.status == "pending",
                                        EmailDelivery.next_attempt_at <= now)
            .values(attempts=EmailDelivery.attempts + 1, next_attempt_at=now + SEND_LEASE))
        if result.rowcount == 1:
            taken.append(delivery_id)
    return taken


def deliver_email(delivery_id: int, now: datetime | None = None) -> bool:
    """Send one leased delivery; on failure schedule a retry (1, 2, 4, … minutes) or give up."""
    now = now or utcnow()
    delivery = db.session.get(EmailDelivery, delivery_id)
    note = delivery.notification
    subject = f"【通通在】{note.title}"
    text = note.body or note.title
    if note.link:
        base = current_app.config.get("PUBLIC_URL", "").rstrip("/")
        text += f"\n\n查看详情：{base}{note.link}"
    try:
        get_backend().send(build_message(delivery.address, subject, text, note.html))
    except Exception as error:  # noqa: BLE001 — any transport failure is retried
        delivery.last_error = f"{type(error).__name__}: {error}"[:500]
        if delivery.attempts >= MAX_EMAIL_ATTEMPTS:
            delivery.status = "failed"
        else:
            delivery.next_attempt_at = now + timedelta(minutes=2 ** (delivery.attempts - 1))
        current_app.logger.warning("e-mail delivery %s failed (attempt %s)", delivery.id,
                                   delivery.attempts)
        return False
    delivery.status = "sent"
    delivery.sent_at = now
    delivery.last_error = None
    return True


def count_email_failures() -> int:
    return db.session.scalar(select(func.count()).select_from(EmailDelivery).where(
        EmailDelivery.status == "failed")) or 0


def purge_read_notifications(older_than: timedelta = timedelta(days=730)) -> int:
    """Housekeeping: drop read messages older than two years."""
    result = db.session.execute(delete(Notification).where(
        Notification.read_at.is_not(None), Notification.created_at < utcnow() - older_than))
    return result.rowcount or 0


def list_notifications_stmt(user, unread_only: bool = False):
    stmt = select(Notification).where(Notification.user_id == user.id).order_by(
        Notification.id.desc())
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt


def count_unread(user) -> int:
    """Unread messages in ``user``'s inbox."""
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def get_notification(user, notification_id: int) -> Notification:
    row = db.session.get(Notification, notification_id)
    if row is None:
        raise NotFound("找不到该消息")
    if row.user_id != user.id:
        raise NotAllowed()
    return row


def mark_read(user, notification: Notification) -> None:
    """Mark one of ``user``'s messages read."""
    if notification.user_id != user.id:
        raise NotAllowed()
    if notification.read_at is None:
        notification.read_at = utcnow()


def mark_all_read(user) -> None:
    """Mark every message of ``user`` read."""
    db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))


def notify_many(messages: list[dict], email_kind: str, now: datetime | None = None
                ) -> dict[int, int]:
    """Bulk ``notify`` for report runs: one insert for the inbox, one for the e-mail copies.

    Each message has ``user_id``, ``kind``, ``title``, ``body`` and optionally ``link``, ``html``
    and ``email``. Answers ``{user_id: notification_id}``.
    """
    if not messages:
        return {}
    from sqlalchemy import insert

    now = now or utcnow()
    rows = [{"user_id": m["user_id"], "kind": m["kind"], "title": m["title"][:200],
             "body": m.get("body", ""), "link": m.get("link"), "html": m.get("html"),
             "created_at": now} for m in messages]
    created = db.session.execute(insert(Notification).returning(
        Notification.id, Notification.user_id), rows).all()
    ids = {user_id: notification_id for notification_id, user_id in created}
    addressed = {m["user_id"]: m["email"] for m in messages if m.get("email")}
    if addressed:
        out = set(db.session.scalars(select(EmailOptOut.user_id).where(
            EmailOptOut.kind == email_kind, EmailOptOut.user_id.in_(list(addressed)))))
        deliveries = [{"notification_id": ids[uid], "address": address, "status": "pending",
                       "attempts": 0, "next_attempt_at": now, "created_at": now}
                      for uid, address in addressed.items() if uid not in out]
        if deliveries:
            db.session.execute(insert(EmailDelivery), deliveries)
    return ids
