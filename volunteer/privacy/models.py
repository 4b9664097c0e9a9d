"""Consents to the privacy notice, and members' deletion requests."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer.core.i18n import N_
from volunteer.core.time import utcnow
from volunteer.core.types import UTCDateTime
from volunteer.extensions import db

# the version of the notice at /privacy; a consent records the version it was given to
NOTICE_VERSION = "2026-12"
CONSENT_KINDS = {"privacy": N_("同意《个人信息保护说明》"),
                 "sensitive": N_("单独同意处理敏感个人信息")}
DELETION_STATUSES = {"pending": N_("待处理"), "done": N_("已注销")}


class Consent(db.Model):
    """One consent given: by a member at registration or by a resident with a request."""

    __tablename__ = "consents"
    __table_args__ = (
        CheckConstraint("kind IN ('privacy', 'sensitive')", name="kind"),
        CheckConstraint("user_id IS NOT NULL OR request_id IS NOT NULL", name="subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    notice_version: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                index=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), index=True)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def kind_label(self) -> str:
        return CONSENT_KINDS.get(self.kind, self.kind)


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
