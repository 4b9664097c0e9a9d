"""Streets, communities, grids, units and branches."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer.core.i18n import N_
from volunteer.core.time import utcnow
from volunteer.core.types import UTCDateTime
from volunteer.extensions import db

BRANCH_LEVELS = {"general": N_("功能型党总支"), "branch": N_("功能型党支部"), "group": N_("党小组")}
# the levels a member is placed in (a 总支 holds branches, not members directly)
MEMBER_BRANCH_LEVELS = ("branch", "group")
UNIT_KINDS = {
    "school": N_("学校"),
    "hospital": N_("医院"),
    "bureau": N_("机关"),
    "enterprise": N_("企业"),
    "institution": N_("事业单位"),
    "other": N_("其他"),
}


class Street(db.Model):
    """街道: a street office with its communities."""

    __tablename__ = "streets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    communities: Mapped[list["Community"]] = relationship(
        back_populates="street", order_by="Community.name"
    )


class Community(db.Model):
    """社区: belongs to a street; its party committee is the 大党委."""

    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("street_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    street: Mapped[Street] = relationship(back_populates="communities")
    grids: Mapped[list["Grid"]] = relationship(back_populates="community", order_by="Grid.name")

    @property
    def full_name(self) -> str:
        return f"{self.street.name}{self.name}"


class Grid(db.Model):
    """网格 (or 微网格 when it has a parent grid) inside one community."""

    __tablename__ = "grids"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community: Mapped[Community] = relationship(back_populates="grids")
    parent: Mapped["Grid | None"] = relationship(remote_side=[id])


class Unit(db.Model):
    """单位: a workplace with a party organisation."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="other")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UnitCommunity(db.Model):
    """单位报到 / 共建: a unit's co-building link to a community."""

    __tablename__ = "unit_communities"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    community: Mapped[Community] = relationship()


class Branch(db.Model):
    """功能型党总支 / 党支部 / 党小组 of members inside a community."""

    __tablename__ = "branches"
    __table_args__ = (
        UniqueConstraint("community_id", "name"),
        CheckConstraint("level IN ('general', 'branch', 'group')", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    level: Mapped[str] = mapped_column(String(10), default="branch")
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community: Mapped[Community] = relationship()
    parent: Mapped["Branch | None"] = relationship(remote_side=[id])

    @property
    def level_label(self) -> str:
        return BRANCH_LEVELS.get(self.level, self.level)
