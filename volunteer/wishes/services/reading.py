"""Reading and listing 微心愿: one wish, the filtered list, flags, counts and the wall."""

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from volunteer.core.errors import NotAllowed, NotFound
from volunteer.core.search import contains_any, within_days
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.wishes.models import LIVE_CLAIM_STATES, Wish, WishClaim
from volunteer.wishes.permissions import COMMUNITY_STAFF, can_list_wishes, can_view_wish
from volunteer.wishes.services.rules import local_today, unclaimed_days

# ---------------------------------------------------------------- reading


def get_wish(viewer, wish_id: int) -> Wish:
    wish = db.session.get(Wish, wish_id)
    if wish is None:
        raise NotFound("找不到该心愿")
    if not can_view_wish(viewer, wish):
        raise NotAllowed()
    return wish


def list_wishes_stmt(viewer, *, status: str | None = None, scope: str | None = None,
                     mine: bool = False, flag: str | None = None, grid_id: int | None = None,
                     now: datetime | None = None, q: str | None = None,
                     kind: str | None = None, date_from: date | None = None,
                     date_to: date | None = None):
    """Wishes ``viewer`` may list: members their reach (or their claims), staff their scope.

    ``q`` searches the wish's text (and, for staff, the household's name and address);
    ``kind`` the household kind; ``date_from``/``date_to`` the local day it was recorded."""
    if not can_list_wishes(viewer):
        raise NotAllowed()
    stmt = select(Wish)
    if viewer.role == "member":
        if mine:
            stmt = stmt.where(Wish.id.in_(select(WishClaim.wish_id).where(
                WishClaim.member_id == viewer.id, WishClaim.state.in_(LIVE_CLAIM_STATES))))
        else:
            stmt = stmt.where(Wish.status == "published")
            stmt = stmt.where(Wish.street_id == viewer.street_id if scope == "street"
                              else Wish.community_id == viewer.community_id)
    elif viewer.role in ("community_secretary", "grid_worker"):
        stmt = stmt.where(Wish.community_id == viewer.community_id)
        if mine:
            stmt = stmt.where(Wish.created_by_id == viewer.id)
    elif viewer.role == "street_reviewer":
        stmt = stmt.where(Wish.street_id == viewer.street_id)
    if status:
        stmt = stmt.where(Wish.status == status)
    if grid_id:
        stmt = stmt.where(Wish.grid_id == grid_id)
    if flag and viewer.role != "member":
        stmt = stmt.where(flag_clause(flag, now or utcnow()))
    columns = (Wish.content,) if viewer.role == "member" else (
        Wish.content, Wish.beneficiary_name, Wish.address)
    search = contains_any(q, *columns)
    if search is not None:
        stmt = stmt.where(search)
    if kind:
        stmt = stmt.where(Wish.household_kind == kind)
    return stmt.where(*within_days(Wish.created_at, date_from, date_to)).order_by(Wish.id.desc())


def flag_clause(flag: str, now: datetime):
    """``unclaimed``: published over 7 days without a claim; ``overdue``: deadline passed;
    ``awaiting``: a claim waits for the staff's acceptance."""
    if flag == "awaiting":
        return Wish.id.in_(select(WishClaim.wish_id).where(WishClaim.state == "pending"))
    if flag == "unclaimed":
        return (Wish.status == "published") & (Wish.claims_taken == 0) & (
            Wish.published_at < now - timedelta(days=unclaimed_days()))
    if flag == "overdue":
        return Wish.status.in_(("submitted", "returned", "published", "claimed")) & (
            Wish.deadline < local_today(now))
    return Wish.id.isnot(None)


def flags_of(wish: Wish, now: datetime | None = None) -> list[str]:
    """The markers a secretary sees on a wish."""
    now = now or utcnow()
    flags = []
    if (wish.status == "published" and wish.claims_taken == 0 and wish.published_at
            and wish.published_at < now - timedelta(days=unclaimed_days())):
        flags.append("unclaimed")
    if (wish.status in ("submitted", "returned", "published", "claimed") and wish.deadline
            and wish.deadline < local_today(now)):
        flags.append("overdue")
    return flags


def count_flags(viewer, now: datetime | None = None) -> dict:
    """How many wishes of the viewer's community carry each marker."""
    now = now or utcnow()
    if viewer.role not in ("community_secretary", "grid_worker"):
        return {"unclaimed": 0, "overdue": 0}
    base = select(func.count()).select_from(Wish).where(
        Wish.community_id == viewer.community_id)
    return {flag: db.session.scalar(base.where(flag_clause(flag, now))) or 0
            for flag in ("unclaimed", "overdue")}


def count_awaiting(viewer) -> int:
    """Wishes of the staff member's community with a claim waiting for acceptance."""
    if viewer.role not in COMMUNITY_STAFF:
        return 0
    return db.session.scalar(select(func.count()).select_from(Wish).where(
        Wish.community_id == viewer.community_id, flag_clause("awaiting", utcnow()))) or 0


def list_wall_stmt(community_id: int | None = None):
    """The public wall: confirmed wishes the secretary let be shown, newest first."""
    stmt = select(Wish).where(Wish.status == "confirmed", Wish.on_wall.is_(True))
    if community_id:
        stmt = stmt.where(Wish.community_id == community_id)
    return stmt.order_by(Wish.confirmed_at.desc(), Wish.id.desc())


def count_fulfilled(member, start: datetime | None = None, end: datetime | None = None) -> int:
    """Confirmed wishes a member helped fulfil (counted apart from task hours)."""
    stmt = select(func.count()).select_from(WishClaim).join(Wish).where(
        WishClaim.member_id == member.id, WishClaim.state == "accepted",
        Wish.status == "confirmed")
    if start is not None:
        stmt = stmt.where(Wish.confirmed_at >= start)
    if end is not None:
        stmt = stmt.where(Wish.confirmed_at < end)
    return db.session.scalar(stmt) or 0
