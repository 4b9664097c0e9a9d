"""居民点单: a resident's request (ServiceRequest) and the timeline of its steps."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer.core.i18n import N_
from volunteer.core.time import utcnow
from volunteer.core.types import UTCDateTime
from volunteer.extensions import db

# code: (label, task category when turned into a task, skills that suit it)
CATEGORIES = {
    "errand": (N_("代购帮办"), "errand", ["driving"]),
    "repair": (N_("水电维修"), "other", ["repair"]),
    "health": (N_("健康义诊"), "health", ["medical", "nursing"]),
    "elderly": (N_("助老助残"), "errand", ["nursing", "sign_language"]),
    "mediation": (N_("矛盾调解"), "mediation", ["mediation", "legal"]),
    "legal": (N_("法律咨询"), "other", ["legal"]),
    "psychology": (N_("心理疏导"), "other", ["psychology"]),
    "education": (N_("课业辅导"), "other", ["education"]),
    "digital": (N_("智能手机帮教"), "other", ["it"]),
    "environment": (N_("环境卫生"), "garbage", []),
    "other": (N_("其他"), "other", []),
}
STATUSES = {
    "submitted": N_("待网格接单"),
    "accepted": N_("网格已接单，待社区派单"),
    "rejected": N_("未受理"),
    "dispatched": N_("社区已派单，待党员接单"),
    "taken": N_("党员已接单"),
    "completed": N_("已完成"),
    "converted": N_("已转为社区服务项目"),
}
# the four steps of 居民点单 → 网格接单 → 社区派单 → 党员接单, and what follows
EVENTS = {
    "submitted": N_("居民点单"),
    "accepted": N_("网格接单"),
    "rejected": N_("不予受理"),
    "dispatched": N_("社区派单"),
    "declined": N_("党员婉拒，退回社区"),
    "taken": N_("党员接单"),
    "converted": N_("转为社区服务项目"),
    "completed": N_("服务完成"),
    "rated": N_("居民评价"),
}
PUBLIC_EVENTS = ("submitted", "accepted", "rejected", "dispatched", "taken", "converted",
                 "completed", "rated")


def category_label(code: str) -> str:
    return CATEGORIES.get(code, (code,))[0]


class ServiceRequest(db.Model):
    """居民点单: what a resident asked for, who took it on, and how it ended."""

    __tablename__ = "service_requests"
    __table_args__ = (
        CheckConstraint(
            "status IN ('submitted', 'accepted', 'rejected', 'dispatched', 'taken', "
            "'completed', 'converted')", name="status"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        Index("ix_service_requests_community_status", "community_id", "status"),
        Index("ix_service_requests_assignee_status", "assignee_id", "status"),
        Index("ix_service_requests_status_completed", "status", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(12), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)

    name: Mapped[str] = mapped_column(String(30))
    phone: Mapped[str] = mapped_column(String(11))
    address: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    # 个人敏感信息: the request tells of the resident's health (needs a separate consent)
    health_sensitive: Mapped[bool] = mapped_column(default=False, server_default=false())

    status: Mapped[str] = mapped_column(String(12), default="submitted")
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reject_reason: Mapped[str | None] = mapped_column(Text)
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completion_note: Mapped[str | None] = mapped_column(Text)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    converted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # set when the retention job cleared the resident's name, phone and address
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    community = relationship("Community")
    grid = relationship("Grid")
    assignee = relationship("User", foreign_keys=[assignee_id])
    accepted_by = relationship("User", foreign_keys=[accepted_by_id])
    dispatched_by = relationship("User", foreign_keys=[dispatched_by_id])
    events: Mapped[list["RequestEvent"]] = relationship(
        back_populates="request", order_by="RequestEvent.id", cascade="all, delete-orphan")

    @property
    def category_label(self) -> str:
        return category_label(self.category)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)


class RequestEvent(db.Model):
    """One timestamped step of a request (the decline reason stays internal)."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[ServiceRequest] = relationship(back_populates="events")
    actor = relationship("User", foreign_keys=[actor_id])

    @property
    def label(self) -> str:
        return EVENTS.get(self.action, self.action)
