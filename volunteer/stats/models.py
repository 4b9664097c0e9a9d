"""The statistics' summary tables: confirmed services pre-added per member and day, month and
period, and the district's per month. ``stats.summaries`` keeps them equal to the claims."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from volunteer.core.types import UTCDateTime
from volunteer.extensions import db


class ServiceSums:
    """The sums a summary row holds: services, confirmed minutes, and quality and satisfaction
    ratings as sums and counts (so averages over any rows stay exact)."""

    services: Mapped[int]
    minutes: Mapped[int]
    quality_sum: Mapped[int]
    quality_n: Mapped[int]
    satisfaction_sum: Mapped[int]
    satisfaction_n: Mapped[int]


class ServicePlace:
    """Where the services of a summary row were earned: the member's street, community, grid,
    unit and branch on the service date (copied from the claims, ``Claim.member_street_id``
    …), 0 for none (also the columns' default). Part of the key, so a member who moved has one
    row per place and the group tables add the rows up by these columns: hours stay where
    they were earned."""

    street_id: Mapped[int] = mapped_column(primary_key=True, server_default="0")
    community_id: Mapped[int] = mapped_column(primary_key=True, server_default="0")
    grid_id: Mapped[int] = mapped_column(primary_key=True, server_default="0")
    unit_id: Mapped[int] = mapped_column(primary_key=True, server_default="0")
    branch_id: Mapped[int] = mapped_column(primary_key=True, server_default="0")


class ServiceDay(ServiceSums, ServicePlace, db.Model):
    """A member's confirmed services of one category on one local day, pre-added.

    Figures over a custom range that cuts months (``2026-07-15..2026-10-14``) add these up
    instead of the range's claims joined to their tasks (about 85,000 of them for a quarter at
    district scale). ``stats.summaries`` keeps them with ``service_months``, which adds them up
    per month.
    """

    __tablename__ = "service_days"
    __table_args__ = (Index("ix_service_days_member", "member_id", "day"),)

    day: Mapped[int] = mapped_column(primary_key=True)  # local year × 10000 + month × 100 + day
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)


class ServiceMonth(ServiceSums, ServicePlace, db.Model):
    """A member's confirmed services of one category in one local month, pre-added.

    The review dashboards and reports read this instead of every claim of a period: a quarter at
    district scale is about 70,000 services, and summing them with their tasks on every page
    cost more than the pages may take. ``stats.summaries`` keeps the rows equal to the claims
    (refreshed when a claim is confirmed, marked a no-show or rated; rebuilt by the generator,
    the demo and nightly housekeeping), adding up the month's ``service_days``.
    """

    __tablename__ = "service_months"
    __table_args__ = (Index("ix_service_months_member", "member_id", "month"),)

    month: Mapped[int] = mapped_column(primary_key=True)  # local year × 100 + month: 202607
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)


class MemberPeriod(ServiceSums, ServicePlace, db.Model):
    """A member's confirmed services in one month, quarter, half-year or year, pre-added from
    ``service_months`` (all categories together).

    The dashboards need every member's figures for a period — to count active members and to
    rank them — and this gives them as one row per member instead of a sum over months.
    ``period`` is the period's key: ``2026-07``, ``2026Q3``, ``2026H2``, ``2026``. The
    member's street, community, grid, unit and branch are those of the services' dates
    (``ServicePlace``): a member who moved within the period has a row for each place, and a
    move never rewrites past rows. The group tables sum these rows without joining every
    member.
    """

    __tablename__ = "member_periods"

    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True,
                                           index=True)


class MonthTotal(db.Model):
    """The whole district's confirmed services in one local month: per task category, and
    with ``category`` empty for all of them together (then ``members`` is the month's active
    members). Recomputed with the month's ``service_months`` rows; read by the district's
    trend and category charts instead of every member's rows."""

    __tablename__ = "month_totals"

    month: Mapped[int] = mapped_column(primary_key=True)  # as ``service_months.month``
    category: Mapped[str] = mapped_column(String(20), primary_key=True)  # "" = all
    services: Mapped[int]
    minutes: Mapped[int]
    members: Mapped[int]


class MemberMove(db.Model):
    """Where a member was, and their status, before a change of street, community, grid, unit
    or branch (recorded by ``stats.receivers`` on ``core.signals.member_moving``).

    The group tables of a period that ended before the change count the member — registered,
    approved — where they were then, as their services stay where they were earned, so a
    move leaves past bulletins and rankings as they were.
    """

    __tablename__ = "member_moves"
    __table_args__ = (Index("ix_member_moves_member", "member_id", "moved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(10))
    street_id: Mapped[int | None]
    community_id: Mapped[int | None]
    grid_id: Mapped[int | None]
    unit_id: Mapped[int | None]
    branch_id: Mapped[int | None]
