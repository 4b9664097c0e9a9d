"""评优: a model volunteer commended by a street for a period."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer.core.time import utcnow
from volunteer.core.types import UTCDateTime
from volunteer.extensions import db


class Commendation(db.Model):
    """A member commended as a model volunteer (模范志愿者) for one period, with a citation."""

    __tablename__ = "commendations"
    __table_args__ = (
        UniqueConstraint("member_id", "period", name="uq_commendations_member_period"),
        Index("ix_commendations_street_period", "street_id", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"))
    period: Mapped[str] = mapped_column(String(24))
    period_label: Mapped[str] = mapped_column(String(40))
    period_start: Mapped[date] = mapped_column(Date)  # first local day
    period_end: Mapped[date] = mapped_column(Date)  # first local day after the period
    citation: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None]
    hours: Mapped[float | None]
    services: Mapped[int | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member = relationship("User", foreign_keys=[member_id])
    street = relationship("Street")
    created_by = relationship("User", foreign_keys=[created_by_id])
