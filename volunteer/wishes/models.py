"""微心愿 (Wish) and its claims (WishClaim)."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, text
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
# a claim waits for the community's staff, who accept or refuse it; the member may release it
CLAIM_STATES = {
    "pending": N_("等待社区确认"),
    "accepted": N_("社区已确认"),
    "refused": N_("社区未同意"),
    "released": N_("已退还"),
}
LIVE_CLAIM_STATES = ("pending", "accepted")


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
    # every claim ever made, refused and released ones too (the staff's history)
    claim_rows: Mapped[list["WishClaim"]] = relationship(
        back_populates="wish", order_by="WishClaim.id", cascade="all, delete-orphan")
    # the claims that hold a place: waiting for the staff or accepted
    claims: Mapped[list["WishClaim"]] = relationship(
        primaryjoin="and_(Wish.id == WishClaim.wish_id, "
                    "WishClaim.state.in_(('pending', 'accepted')))",
        order_by="WishClaim.id", viewonly=True)

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
        """Members holding a place, accepted or still waiting."""
        return [c.member_id for c in self.claims]

    @property
    def accepted_ids(self) -> list[int]:
        """Members whose claim the community's staff accepted."""
        return [c.member_id for c in self.claims if c.state == "accepted"]

    @property
    def pending_claims(self) -> list["WishClaim"]:
        return [c for c in self.claims if c.state == "pending"]

    def claim_of(self, member_id: int | None) -> "WishClaim | None":
        """The live claim of that member, if any."""
        return next((c for c in self.claims if c.member_id == member_id), None)

    @property
    def slots_left(self) -> int:
        return max(0, self.max_claimants - self.claims_taken)


class WishClaim(db.Model):
    """认领: one member's claim of a wish (several for a 帮帮团 group wish), waiting for the
    community's staff, accepted, refused or released; ended rows stay as the history."""

    __tablename__ = "wish_claims"
    __table_args__ = (
        # a member holds at most one live claim per wish, whatever the concurrency
        Index("uq_wish_claims_live_wish_member", "wish_id", "member_id", unique=True,
              sqlite_where=text("state IN ('pending', 'accepted')"),
              postgresql_where=text("state IN ('pending', 'accepted')")),
        # the weekly release limit counts a member's releases since a moment
        Index("ix_wish_claims_member_state_ended", "member_id", "state", "ended_at"),
        Index("ix_wish_claims_wish_id", "wish_id"),
        CheckConstraint("state IN ('pending', 'accepted', 'refused', 'released')",
                        name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wish_id: Mapped[int] = mapped_column(ForeignKey("wishes.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(Text)

    wish: Mapped[Wish] = relationship(back_populates="claim_rows")
    member = relationship("User", foreign_keys=[member_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def state_label(self) -> str:
        return CLAIM_STATES.get(self.state, self.state)
