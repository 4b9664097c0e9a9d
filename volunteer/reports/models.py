"""Report runs (one per kind and period) and their deliveries (one per run and recipient)."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer.core.time import utcnow
from volunteer.core.types import UTCDateTime
from volunteer.extensions import db
from volunteer.reports.kinds import label_of


class ReportRun(db.Model):
    """One report for one period; unique, so a period is never run twice."""

    __tablename__ = "report_runs"
    __table_args__ = (
        UniqueConstraint("kind", "period"),
        CheckConstraint("status IN ('running', 'done')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    period: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default="running")
    trigger: Mapped[str] = mapped_column(String(20), default="scheduler")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recipients: Mapped[int] = mapped_column(default=0)
    content: Mapped[dict] = mapped_column(JSON, default=dict)

    @property
    def kind_label(self) -> str:
        return label_of(self.kind)


class ReportDelivery(db.Model):
    """What one recipient received from one run; unique per (run, recipient)."""

    __tablename__ = "report_deliveries"
    __table_args__ = (
        UniqueConstraint("run_id", "user_id"),
        Index("ix_report_deliveries_user", "user_id", "id"),
        # deleting a notification looks up the deliveries pointing at it
        Index("ix_report_deliveries_notification", "notification_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("report_runs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    audience: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    run: Mapped[ReportRun] = relationship()
    user = relationship("User")
