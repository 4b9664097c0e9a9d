"""Members' deletion requests (the consents are ``volunteer.consents``)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer.core.i18n import N_
from volunteer.core.time import utcnow
from volunteer.core.types import UTCDateTime
from volunteer.extensions import db

DELETION_STATUSES = {"pending": N_("待处理"), "done": N_("已注销")}


class DeletionRequest(db.Model):
    """A member's request to delete their account, handled by their community secretary."""

    __tablename__ = "deletion_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'done')", name="status"),
        # one open request per member, however often the button is pressed
        Index("uq_deletion_requests_pending_member", "member_id", unique=True,
              sqlite_where=text("status = 'pending'"),
              postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    member = relationship("User", foreign_keys=[member_id])
    handled_by = relationship("User", foreign_keys=[handled_by_id])

    @property
    def status_label(self) -> str:
        return DELETION_STATUSES.get(self.status, self.status)
