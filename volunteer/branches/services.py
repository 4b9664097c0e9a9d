"""Reading a functional branch's members, with their hours of the current quarter."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from volunteer.auth.models import User
from volunteer.branches.permissions import can_list_branch_members
from volunteer.core.errors import NotAllowed, NotFound
from volunteer.core.periods import Period, containing, local_date
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.orgs.models import Branch
from volunteer.orgs.services import branch_subtree_ids
from volunteer.stats.figures import MEMBER_FACTS, member_facts, member_hours

QUERY_MAX = 30  # a name searched for (names are at most 30 characters)


def get_branch(viewer, branch_id: int) -> Branch:
    """A branch whose members ``viewer`` may list: NotFound for unknown ids, NotAllowed
    for another's."""
    branch = db.session.get(Branch, branch_id) if isinstance(branch_id, int) else None
    if branch is None:
        raise NotFound("找不到该党组织")
    if not can_list_branch_members(viewer, branch):
        raise NotAllowed("只能查看本社区或本支部的党员")
    return branch


def list_branch_members_stmt(viewer, branch: Branch, q: str | None = None):
    """The members of ``branch`` and of the organisations below it, by name; ``q`` searches
    their names."""
    if not can_list_branch_members(viewer, branch):
        raise NotAllowed()
    stmt = (select(User).where(User.role == "member",
                               User.branch_id.in_(branch_subtree_ids(branch.id)))
            .options(joinedload(User.grid), joinedload(User.unit), joinedload(User.branch))
            .order_by(User.name, User.id))
    q = (q or "").strip()[:QUERY_MAX]
    return stmt.where(User.name.contains(q)) if q else stmt


def current_quarter(now: datetime | None = None) -> Period:
    return containing("quarter", local_date(now or utcnow()))


def hours_of(members: list[User], period: Period) -> dict[int, float]:
    """Each member's confirmed service hours in ``period``, by member id."""
    if not members:
        return {}
    minutes = MEMBER_FACTS.index("minutes")
    rows = member_facts(period, member_ids=[m.id for m in members], approved_only=False)
    return {row[0]: member_hours(row[minutes]) for row in rows}
