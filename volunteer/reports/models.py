"""Report runs (one per kind and period) and their deliveries (one per run and recipient)."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer.core.i18n import N_
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


REQUEST_STATES = {"queued": N_("排队中"), "running": N_("运行中"), "done": N_("完成"),
                  "failed": N_("失败")}


class ReportRequest(db.Model):
    """A run of one report for one period asked for from /admin/reports, which the scheduler
    process picks up (``reports.queue``): the web worker only queues it. At most one request
    per (kind, period) is waiting or running (a partial unique index)."""

    __tablename__ = "report_requests"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')",
                        name="status"),
        Index("ix_report_requests_waiting", "kind", "period", unique=True,
              postgresql_where=text("status IN ('queued', 'running')"),
              sqlite_where=text("status IN ('queued', 'running')")),
        Index("ix_report_requests_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    period: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("report_runs.id", ondelete="SET NULL"))
    new_deliveries: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(500))

    requested_by = relationship("User")
    run: Mapped[ReportRun | None] = relationship()

    @property
    def kind_label(self) -> str:
        return label_of(self.kind)

    @property
    def status_label(self) -> str:
        return REQUEST_STATES.get(self.status, self.status)
