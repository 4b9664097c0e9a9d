"""服务项目 (Task), 认领 (Claim), the waitlist, and the district's ready task templates."""

from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, and_, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer.core.i18n import N_
from volunteer.core.time import utcnow
from volunteer.core.types import UTCDateTime
from volunteer.extensions import db

CATEGORIES = {
    "checkpoint_duty": N_("卡口值守"),
    "disinfection": N_("楼道消杀"),
    "errand": N_("代购帮办"),
    "transfer": N_("协助转运"),
    "logistics": N_("后勤保障"),
    "garbage": N_("垃圾清运"),
    "info_collection": N_("信息采集"),
    "mediation": N_("矛盾化解"),
    "civility": N_("文明引导"),
    "health": N_("义诊服务"),
    "wish": N_("微心愿"),
    "other": N_("其他"),
}
VISIBILITIES = {"community": N_("本社区"), "street": N_("本街道"), "district": N_("全区")}
# stored statuses; full / in_progress / done follow from time and counts (see Task.state_at)
STATES = {
    "draft": N_("草稿"),
    "open": N_("招募中"),
    "full": N_("已满员"),
    "in_progress": N_("进行中"),
    "done": N_("已结束"),
    "cancelled": N_("已取消"),
}
CLAIM_STATUSES = {"claimed": N_("已认领"), "cancelled": N_("已取消"), "removed": N_("已移除")}
CHECK_IN_METHODS = {"button": N_("按钮签到"), "scanned": N_("扫码签到")}
OUTCOMES = {"pending": N_("待确认"), "confirmed": N_("已确认"), "no_show": N_("缺席")}
MIN_SLOTS, MAX_SLOTS = 1, 500

# 区委组织部's ready templates: (title, default slots, minutes, local start "HH:MM", notes, skills)
TEMPLATES = {
    "checkpoint_duty": ("卡口值守", 4, 240, "08:00",
                        "核验出入人员身份，登记外来车辆，维持卡口秩序。请佩戴党员徽章。", []),
    "disinfection": ("楼道消杀", 3, 120, "09:00",
                     "对楼道、电梯、扶手等公共部位喷洒消毒，做好消杀记录。社区提供防护用品。", []),
    "errand": ("代购帮办", 5, 180, "14:00",
               "为独居老人、行动不便居民代购生活物资、代办事务，做好交接登记。", []),
    "transfer": ("协助转运", 4, 180, "08:30",
                 "协助转运人员和物资，服从现场指挥，注意个人防护。", ["driving"]),
    "logistics": ("后勤保障", 6, 240, "08:00",
                  "物资搬运、分发，志愿者餐饮与后勤支持。", []),
    "garbage": ("垃圾清运", 4, 120, "07:30",
                "协助清运小区生活垃圾，开展垃圾分类引导。", []),
    "info_collection": ("信息采集", 6, 180, "09:00",
                        "入户或电话采集居民信息，注意保护个人隐私。", ["it"]),
    "mediation": ("矛盾化解", 2, 120, "15:00",
                  "参与邻里纠纷调解，倾听诉求、释法说理。", ["mediation", "legal"]),
    "civility": ("文明引导", 6, 120, "07:00",
                 "在路口、公交站点开展文明交通和文明出行引导。", []),
    "health": ("义诊服务", 4, 180, "09:00",
               "为居民提供血压血糖测量、健康咨询等义诊服务。", ["medical", "nursing"]),
}


def category_label(code: str) -> str:
    return CATEGORIES.get(code, code)


class Task(db.Model):
    """服务项目: what a community posts, with a time window and a number of slots."""

    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint("slots >= 1 AND slots <= 500", name="slots_range"),
        CheckConstraint("slots_taken >= 0 AND slots_taken <= slots", name="slots_taken_range"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("status IN ('draft', 'open', 'cancelled')", name="status"),
        CheckConstraint("visibility IN ('community', 'street', 'district')", name="visibility"),
        CheckConstraint(
            "category IN ('checkpoint_duty', 'disinfection', 'errand', 'transfer', 'logistics', "
            "'garbage', 'info_collection', 'mediation', 'civility', 'health', 'wish', 'other')",
            name="category"),
        Index("ix_tasks_community_starts", "community_id", "starts_at"),
        Index("ix_tasks_status_starts", "status", "starts_at"),
        # review figures select a period's services by the end of their task
        Index("ix_tasks_ends_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    slots: Mapped[int]
    slots_taken: Mapped[int] = mapped_column(default=0)
    visibility: Mapped[str] = mapped_column(String(10), default="community")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    series_key: Mapped[str | None] = mapped_column(String(32), index=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community = relationship("Community")
    grid = relationship("Grid")
    created_by = relationship("User")
    skills: Mapped[list["TaskSkill"]] = relationship(
        cascade="all, delete-orphan", order_by="TaskSkill.tag", back_populates="task")

    @property
    def skill_tags(self) -> list[str]:
        return [s.tag for s in self.skills]

    @property
    def category_label(self) -> str:
        return category_label(self.category)

    @property
    def visibility_label(self) -> str:
        return VISIBILITIES.get(self.visibility, self.visibility)

    @property
    def slots_left(self) -> int:
        return max(0, self.slots - self.slots_taken)

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def state_at(self, now: datetime) -> str:
        """The lifecycle state at ``now``; the same rules as ``state_clause``."""
        if self.status in ("draft", "cancelled"):
            return self.status
        if now >= self.ends_at:
            return "done"
        if now >= self.starts_at:
            return "in_progress"
        if self.slots_taken >= self.slots:
            return "full"
        return "open"

    def claimable_at(self, now: datetime) -> bool:
        return self.state_at(now) == "open"

    def check_window(self, early: timedelta, late: timedelta) -> tuple[datetime, datetime]:
        return self.starts_at - early, self.ends_at + late


def state_clause(state: str, now: datetime):
    """A SQL condition selecting tasks in a lifecycle ``state`` at ``now``."""
    live = Task.status == "open"
    clauses = {
        "draft": Task.status == "draft",
        "cancelled": Task.status == "cancelled",
        "open": and_(live, Task.starts_at > now, Task.slots_taken < Task.slots),
        "full": and_(live, Task.starts_at > now, Task.slots_taken >= Task.slots),
        "in_progress": and_(live, Task.starts_at <= now, Task.ends_at > now),
        "done": and_(live, Task.ends_at <= now),
    }
    return clauses[state]


class TaskSkill(db.Model):
    """A skill (党员专家库 tag) a task asks for."""

    __tablename__ = "task_skills"
    __table_args__ = (Index("ix_task_skills_tag", "tag"),)

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"),
                                         primary_key=True)
    tag: Mapped[str] = mapped_column(String(20), primary_key=True)

    task = relationship("Task", back_populates="skills")


class Claim(db.Model):
    """认领: one member's slot of one task, with its check-in, hours and ratings."""

    __tablename__ = "claims"
    __table_args__ = (
        # a member holds at most one live claim per task, whatever the concurrency
        Index("uq_claims_live_task_member", "task_id", "member_id", unique=True,
              sqlite_where=text("status = 'claimed'"),
              postgresql_where=text("status = 'claimed'")),
        Index("ix_claims_member_status", "member_id", "status"),
        CheckConstraint("status IN ('claimed', 'cancelled', 'removed')", name="status"),
        CheckConstraint("quality IS NULL OR (quality >= 1 AND quality <= 5)", name="quality"),
        CheckConstraint("satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)",
                        name="satisfaction"),
        CheckConstraint("confirmed_minutes IS NULL OR confirmed_minutes >= 0",
                        name="confirmed_minutes"),
        CheckConstraint("check_in_method IS NULL OR check_in_method IN ('button', 'scanned')",
                        name="check_in_method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default="claimed")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(Text)

    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_in_method: Mapped[str | None] = mapped_column(String(10))
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    self_minutes: Mapped[int | None]
    checkout_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_24h_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_2h_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_minutes: Mapped[int | None]
    adjusted: Mapped[bool] = mapped_column(default=False)
    adjust_reason: Mapped[str | None] = mapped_column(Text)
    quality: Mapped[int | None]
    no_show: Mapped[bool] = mapped_column(default=False)

    satisfaction: Mapped[int | None]
    satisfaction_comment: Mapped[str | None] = mapped_column(Text)
    satisfaction_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # where the service was earned: the member's organisations on the service date, recorded
    # when the claim is first summed up as a service (``stats.summaries``) or, for a service
    # already over, when the member moves (``place_claims``); hours stay where they were earned
    member_street_id: Mapped[int | None]
    member_community_id: Mapped[int | None]
    member_grid_id: Mapped[int | None]
    member_unit_id: Mapped[int | None]
    member_branch_id: Mapped[int | None]

    task: Mapped[Task] = relationship()
    member = relationship("User", foreign_keys=[member_id])
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])

    @property
    def status_label(self) -> str:
        return CLAIM_STATUSES.get(self.status, self.status)

    @property
    def is_live(self) -> bool:
        return self.status == "claimed"

    @property
    def self_hours(self) -> float | None:
        return None if self.self_minutes is None else round(self.self_minutes / 60, 2)

    @property
    def confirmed_hours(self) -> float | None:
        return None if self.confirmed_minutes is None else round(self.confirmed_minutes / 60, 2)

    @property
    def outcome(self) -> str:
        """pending, confirmed or no_show."""
        if self.no_show:
            return "no_show"
        return "confirmed" if self.confirmed_at else "pending"

    @property
    def outcome_label(self) -> str:
        return OUTCOMES[self.outcome]

    def checkout_forgotten(self, now: datetime, late: timedelta) -> bool:
        """Checked in, never checked out, and the check-out window has closed."""
        return (self.is_live and self.checked_in_at is not None and self.checked_out_at is None
                and now > self.task.ends_at + late)


# The statistics (``volunteer.stats``) read every confirmed service of a period: tasks by their end
# (ix_tasks_ends_at), then the tasks' claims. This index holds every column that aggregate needs,
# so the claims are read from the index alone (halves the scan on SQLite at district scale).
Index("ix_claims_service", Claim.task_id, Claim.status, Claim.no_show, Claim.confirmed_at,
      Claim.member_id, Claim.confirmed_minutes, Claim.quality, Claim.satisfaction)


class WaitlistEntry(db.Model):
    """A member waiting for a slot of a full task; the first waiting is promoted on a cancel."""

    __tablename__ = "task_waitlist"
    __table_args__ = (
        Index("uq_task_waitlist_waiting", "task_id", "member_id", unique=True,
              sqlite_where=text("status = 'waiting'"),
              postgresql_where=text("status = 'waiting'")),
        Index("ix_task_waitlist_task_status", "task_id", "status", "id"),
        CheckConstraint("status IN ('waiting', 'promoted', 'left', 'skipped')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    task: Mapped[Task] = relationship()
    member = relationship("User")
