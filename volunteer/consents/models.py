"""Consents to the privacy notice."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from volunteer.core.i18n import N_
from volunteer.core.time import utcnow
from volunteer.core.types import UTCDateTime
from volunteer.extensions import db

# the version of the notice at /privacy; a consent records the version it was given to
NOTICE_VERSION = "2026-12"
CONSENT_KINDS = {"privacy": N_("同意《个人信息保护说明》"),
                 "sensitive": N_("单独同意处理敏感个人信息")}


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
