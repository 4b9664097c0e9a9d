"""User accounts (staff and members alike) and API tokens."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer.core.i18n import N_
from volunteer.core.time import utcnow
from volunteer.core.types import UTCDateTime
from volunteer.extensions import db

ROLES = {
    "district_admin": N_("区委组织部管理员"),
    "street_reviewer": N_("街道审核员"),
    "community_secretary": N_("社区书记"),
    "grid_worker": N_("网格员"),
    "branch_secretary": N_("支部书记"),
    "unit_contact": N_("单位联系人"),
    "member": N_("在职党员"),
}
STAFF_ROLES = ("street_reviewer", "community_secretary", "grid_worker", "branch_secretary",
               "unit_contact")
# the scope column each staff role must carry
ROLE_SCOPE = {
    "street_reviewer": "street_id",
    "community_secretary": "community_id",
    "grid_worker": "grid_id",
    "branch_secretary": "branch_id",
    "unit_contact": "unit_id",
}
MEMBER_STATUSES = {"pending": N_("待审核"), "approved": N_("已通过"), "rejected": N_("未通过")}


class User(UserMixin, db.Model):
    """An account: a member (在职党员) or a staff user, scoped by role."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('district_admin', 'street_reviewer', 'community_secretary', "
            "'grid_worker', 'branch_secretary', 'unit_contact', 'member')",
            name="role",
        ),
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
        Index("ix_users_community_role_status", "community_id", "role", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    name: Mapped[str] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(10), default="approved")
    active: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(default=1)
    # set by a staff or CLI reset: the temporary password must be replaced at the next login
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())

    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)

    industry: Mapped[str | None] = mapped_column(String(20))
    reject_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # set when the account was deleted at the member's request (see privacy.services)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    street = relationship("Street", foreign_keys=[street_id])
    community = relationship("Community", foreign_keys=[community_id])
    grid = relationship("Grid", foreign_keys=[grid_id])
    unit = relationship("Unit", foreign_keys=[unit_id])
    branch = relationship("Branch", foreign_keys=[branch_id])
    skills = relationship(
        "MemberSkill", cascade="all, delete-orphan", order_by="MemberSkill.tag",
        back_populates="user",
    )

    def get_id(self) -> str:
        # the session version travels in the cookie: bumping it ends every session
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def status_label(self) -> str:
        return MEMBER_STATUSES.get(self.status, self.status)

    @property
    def is_member(self) -> bool:
        return self.role == "member"

    @property
    def is_admin(self) -> bool:
        return self.role == "district_admin"

    @property
    def skill_tags(self) -> list[str]:
        return [s.tag for s in self.skills]


class ApiToken(db.Model):
    """A bearer token for the client API; only a hash of its secret is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    session_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class WebSession(db.Model):
    """One logged-in browser: the cookie carries its id, logout or idleness ends it."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
