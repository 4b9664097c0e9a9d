"""The one notification service: every event that tells a user something goes through here."""

from sqlalchemy import func, select, update

from volunteer.core.errors import NotAllowed, NotFound
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.notifications.models import Notification


def notify(user, kind: str, title: str, body: str = "", link: str | None = None) -> Notification:
    """Put a message in ``user``'s inbox (flushed with the caller's work)."""
    row = Notification(user_id=user.id if hasattr(user, "id") else int(user), kind=kind,
                       title=title[:200], body=body, link=link)
    db.session.add(row)
    return row


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
