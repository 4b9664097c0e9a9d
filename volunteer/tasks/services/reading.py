"""Reading tasks, claims, the roster and the waitlist, each as the viewer may see them."""

from datetime import date, datetime

from sqlalchemy import and_, case, or_, select

from volunteer.core.errors import NotAllowed, NotFound
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.tasks.models import Claim, Task, TaskSkill, WaitlistEntry, state_clause
from volunteer.tasks.permissions import can_view_roster, can_view_task
from volunteer.tasks.services.settings import local_day_range


def get_task(viewer, task_id: int) -> Task:
    """A task ``viewer`` may see; members get NotFound for tasks out of their reach."""
    task = db.session.get(Task, task_id) if isinstance(task_id, int) else None
    if task is None or (viewer.role == "member" and not can_view_task(viewer, task)):
        raise NotFound("找不到该服务项目")
    if not can_view_task(viewer, task):
        raise NotAllowed()
    return task


def get_claim(viewer, claim_id: int) -> Claim:
    """A claim seen by its member or by those who may see the task's roster."""
    claim = db.session.get(Claim, claim_id) if isinstance(claim_id, int) else None
    if claim is None:
        raise NotFound("找不到该认领记录")
    if claim.member_id != viewer.id and not can_view_roster(viewer, claim.task):
        raise NotAllowed()
    return claim


def list_tasks_stmt(viewer, *, now: datetime | None = None, category: str | None = None,
                    on_date: date | None = None, community_id: int | None = None,
                    matching_skills: bool = False, state: str | None = None):
    """Tasks ``viewer`` may browse; a member's own community first, then by start."""
    now = now or utcnow()
    stmt = select(Task)
    if viewer.role == "member":
        stmt = stmt.where(Task.status != "draft", or_(
            Task.community_id == viewer.community_id, Task.visibility == "district",
            and_(Task.visibility == "street", Task.street_id == viewer.street_id)))
        if state is None:  # what can still be claimed or waited for
            stmt = stmt.where(Task.status == "open", Task.ends_at > now)
        mine_first = case((Task.community_id == viewer.community_id, 0), else_=1)
        stmt = stmt.order_by(mine_first, Task.starts_at, Task.id)
    else:
        if viewer.role in ("community_secretary", "grid_worker", "branch_secretary"):
            stmt = stmt.where(Task.community_id == viewer.community_id)
        elif viewer.role == "street_reviewer":
            stmt = stmt.where(Task.street_id == viewer.street_id)
        elif viewer.role != "district_admin":
            raise NotAllowed()
        if viewer.role != "community_secretary":
            stmt = stmt.where(Task.status != "draft")
        stmt = stmt.order_by(Task.starts_at.desc(), Task.id.desc())
    if state:
        stmt = stmt.where(state_clause(state, now))
    if category:
        stmt = stmt.where(Task.category == category)
    if community_id:
        stmt = stmt.where(Task.community_id == community_id)
    if on_date:
        start, end = local_day_range(on_date)
        stmt = stmt.where(Task.starts_at >= start, Task.starts_at < end)
    if matching_skills:
        stmt = stmt.where(Task.skills.any(TaskSkill.tag.in_(viewer.skill_tags or [""])))
    return stmt


def live_claims_of(member, task_ids) -> dict[int, Claim]:
    """The member's live claims on the given tasks, by task id (one query for a list)."""
    if not task_ids:
        return {}
    rows = db.session.scalars(select(Claim).where(
        Claim.member_id == member.id, Claim.status == "claimed", Claim.task_id.in_(task_ids)))
    return {claim.task_id: claim for claim in rows}


def get_live_claim(member, task: Task) -> Claim | None:
    return db.session.scalar(select(Claim).where(
        Claim.task_id == task.id, Claim.member_id == member.id, Claim.status == "claimed"))


def _live_claims(task: Task) -> list[Claim]:
    return list(db.session.scalars(select(Claim).where(
        Claim.task_id == task.id, Claim.status == "claimed").order_by(Claim.id)))


def _waiting(task: Task) -> list[WaitlistEntry]:
    return list(db.session.scalars(select(WaitlistEntry).where(
        WaitlistEntry.task_id == task.id, WaitlistEntry.status == "waiting")
        .order_by(WaitlistEntry.id)))


def list_roster(viewer, task: Task) -> list[Claim]:
    """Every claim of a task, live ones first: for the secretary, grid workers and the admin."""
    if not can_view_roster(viewer, task):
        raise NotAllowed("只有本社区书记和网格员可以查看名单")
    live_first = case((Claim.status == "claimed", 0), else_=1)
    return list(db.session.scalars(select(Claim).where(Claim.task_id == task.id)
                                   .order_by(live_first, Claim.id)))


def list_waitlist(viewer, task: Task) -> list[WaitlistEntry]:
    """The members waiting for a slot, in order."""
    if not can_view_roster(viewer, task):
        raise NotAllowed("只有本社区书记和网格员可以查看候补名单")
    return _waiting(task)


def waitlist_position(member, task: Task) -> int | None:
    """The member's place on the waitlist (1 is next), or None."""
    entries = _waiting(task)
    return next((i for i, e in enumerate(entries, 1) if e.member_id == member.id), None)
