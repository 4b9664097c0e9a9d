"""集结号 (Mobilisation): its control area, its posts and the members' answers (the roster)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer.core.i18n import N_
from volunteer.core.time import utcnow
from volunteer.core.types import UTCDateTime
from volunteer.extensions import db

STATUSES = {"active": N_("集结中"), "closed": N_("已结束")}
ANSWERS = {"reporting": N_("响应报到"), "cannot": N_("无法报到")}


class Mobilisation(db.Model):
    """A call (集结号) to every approved member living in a control area — some communities,
    or some grids of them — with a message and the posts to fill. Declared by the district
    admin (anywhere) or a street reviewer (inside their street: ``street_id``)."""

    __tablename__ = "mobilisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    message: Mapped[str] = mapped_column(Text)
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id"), index=True)
    declared_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    members_told: Mapped[int] = mapped_column(default=0)

    declared_by = relationship("User")
    areas: Mapped[list["MobilisationArea"]] = relationship(
        back_populates="mobilisation", cascade="all, delete-orphan",
        order_by="MobilisationArea.id")
    posts: Mapped[list["MobilisationPost"]] = relationship(
        back_populates="mobilisation", cascade="all, delete-orphan",
        order_by="MobilisationPost.id")

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def community_ids(self) -> set[int]:
        return {area.community_id for area in self.areas}


class MobilisationArea(db.Model):
    """One piece of the control area: a whole community (``grid_id`` empty) or one grid."""

    __tablename__ = "mobilisation_areas"
    __table_args__ = (UniqueConstraint("mobilisation_id", "community_id", "grid_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mobilisation_id: Mapped[int] = mapped_column(
        ForeignKey("mobilisations.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"))

    mobilisation: Mapped[Mobilisation] = relationship(back_populates="areas")
    community = relationship("Community")
    grid = relationship("Grid")


class MobilisationPost(db.Model):
    """A post to fill (卡口值守, 后勤保障 …) and how many members it needs."""

    __tablename__ = "mobilisation_posts"
    __table_args__ = (CheckConstraint("needed > 0", name="needed_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mobilisation_id: Mapped[int] = mapped_column(
        ForeignKey("mobilisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    needed: Mapped[int]

    mobilisation: Mapped[Mobilisation] = relationship(back_populates="posts")


class MobilisationReply(db.Model):
    """A member's answer to a call, and the post and shift a secretary gave them: a row of the
    live roster. One per member and call; answering again changes it."""

    __tablename__ = "mobilisation_replies"
    __table_args__ = (
        UniqueConstraint("mobilisation_id", "member_id"),
        Index("ix_mobilisation_replies_post", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mobilisation_id: Mapped[int] = mapped_column(
        ForeignKey("mobilisations.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    answer: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(200))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("mobilisation_posts.id", ondelete="SET NULL"))
    shift: Mapped[str | None] = mapped_column(String(40))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member = relationship("User", foreign_keys=[member_id])
    post = relationship(MobilisationPost)

    @property
    def answer_label(self) -> str:
        return ANSWERS.get(self.answer, self.answer)
