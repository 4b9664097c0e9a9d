"""Models shared by every feature: the throttle ledger."""

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from volunteer.core.time import utcnow
from volunteer.core.types import UTCDateTime
from volunteer.extensions import db


class ThrottleEvent(db.Model):
    """One counted event (a failed login, a public submission) in a shared, cross-process store."""

    __tablename__ = "throttle_events"
    __table_args__ = (Index("ix_throttle_events_lookup", "bucket", "key", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
