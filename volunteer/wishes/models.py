"""微心愿 (Wish) and its claims (WishClaim)."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer.core.i18n import N_
from volunteer.core.time import utcnow
from volunteer.core.types import UTCDateTime
from volunteer.extensions import db

HOUSEHOLD_KINDS = {
    "low_income": N_("低保户"),
    "extreme_poverty": N_("特困供养"),
    "disability": N_("残疾人家庭"),
    "elderly_alone": N_("独居老人"),
    "hardship": N_("困难家庭"),
    "other": N_("其他"),
}
STATUSES = {
    "submitted": N_("待审核"),
    "returned": N_("已退回"),
    "published": N_("待认领"),
    "claimed": N_("已认领"),
    "fulfilled": N_("待确认"),
    "confirmed": N_("已圆梦"),
}
PHOTO_KINDS = ("wish", "fulfil")


def anonymise_name(name: str | None) -> str:
    """``张三丰`` → ``张**``: the family name and stars, whatever the length."""
    name = (name or "").strip()
    return f"{name[0]}**" if name else "**"


class Wish(db.Model):
    """微心愿: one household's small wish, its review, its claim and its fulfilment."""

    __tablename__ = "wishes"
    __table_args__ = (
        CheckConstraint(
            "household_kind IN ('low_income', 'extreme_poverty', 'disability', 'elderly_alone', "
            "'hardship', 'other')", name="household_kind"),
        CheckConstraint(
            "status IN ('submitted', 'returned', 'published', 'claimed', 'fulfilled', "
            "'confirmed')", name="status"),
        CheckConstraint("value >= 0", name="value_positive"),
        CheckConstraint("max_claimants >= 1", name="max_claimants_positive"),
        CheckConstraint("claims_taken >= 0 AND claims_taken <= max_claimants",
                        name="claims_taken_range"),
        CheckConstraint("satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)",
                        name="satisfaction_range"),
        Index("ix_wishes_community_status", "community_id", "status"),
        Index("ix_wishes_street_status", "street_id", "status"),
        Index("ix_wishes_status_confirmed", "status", "confirmed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    household_kind: Mapped[str] = mapped_column(String(20))
    beneficiary_name: Mapped[str] = mapped_column(String(30))
    address: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    value: Mapped[int]
    deadline: Mapped[date | None] = mapped_column(Date)
    photo: Mapped[str | None] = mapped_column(String(64))

    group: Mapped[bool] = mapped_column("is_group", default=False)
    max_claimants: Mapped[int] = mapped_column(default=1)
    claims_taken: Mapped[int] = mapped_column(default=0)

    status: Mapped[str] = mapped_column(String(12), default="submitted")
    return_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fulfilled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    fulfil_note: Mapped[str | None] = mapped_column(Text)
    fulfil_photo: Mapped[str | None] = mapped_column(String(64))

    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    satisfaction: Mapped[int | None]
    thanks: Mapped[str | None] = mapped_column(Text)
    story: Mapped[str | None] = mapped_column(Text)
    on_wall: Mapped[bool] = mapped_column(default=False)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # set when the retention job cleared the household's identity (privacy.services)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    community = relationship("Community")
    grid = relationship("Grid")
    created_by = relationship("User", foreign_keys=[created_by_id])
    fulfilled_by = relationship("User", foreign_keys=[fulfilled_by_id])
    claims: Mapped[list["WishClaim"]] = relationship(
        back_populates="wish", order_by="WishClaim.id", cascade="all, delete-orphan")

    @property
    def kind_label(self) -> str:
        return HOUSEHOLD_KINDS.get(self.household_kind, self.household_kind)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def anonymous_name(self) -> str:
        return anonymise_name(self.beneficiary_name)

    @property
    def claimant_ids(self) -> list[int]:
        return [c.member_id for c in self.claims]

    @property
    def slots_left(self) -> int:
        return max(0, self.max_claimants - self.claims_taken)


class WishClaim(db.Model):
    """认领: one member's claim of a wish (several for a 帮帮团 group wish)."""

    __tablename__ = "wish_claims"
    __table_args__ = (UniqueConstraint("wish_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wish_id: Mapped[int] = mapped_column(ForeignKey("wishes.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    wish: Mapped[Wish] = relationship(back_populates="claims")
    member = relationship("User")
