"""Reading tasks, claims, the roster and the waitlist, each as the viewer may see them."""

from datetime import datetime

from sqlalchemy import and_, case, func, or_, select

from volunteer.core.errors import NotAllowed, NotFound
from volunteer.core.search import contains_any, within_days
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


def pending_clause():
    """Tasks with a claim waiting for its hours to be confirmed (checked out, unconfirmed)."""
    return Task.id.in_(select(Claim.task_id).where(
        Claim.status == "claimed", Claim.checked_out_at.is_not(None),
        Claim.confirmed_at.is_(None), Claim.no_show.is_(False)))


def start_order(now: datetime) -> tuple:
    """Tasks by start: those not yet over first, soonest first; then past ones, latest first."""
    over = case((Task.ends_at <= now, 1), else_=0)
    coming = case((Task.ends_at > now, Task.starts_at), else_=None)
    return over, coming, Task.starts_at.desc(), Task.id


def _scope_conds(viewer, state: str | None, now: datetime) -> list:
    if viewer.role == "member":
        conds = [Task.status != "draft", or_(
            Task.community_id == viewer.community_id, Task.visibility == "district",
            and_(Task.visibility == "street", Task.street_id == viewer.street_id))]
        if state is None:  # what can still be claimed or waited for
            conds += [Task.status == "open", Task.ends_at > now]
        return conds
    if viewer.role in ("community_secretary", "grid_worker", "branch_secretary"):
        conds = [Task.community_id == viewer.community_id]
    elif viewer.role == "street_reviewer":
        conds = [Task.street_id == viewer.street_id]
    elif viewer.role == "district_admin":
        conds = []
    else:
        raise NotAllowed()
    if viewer.role != "community_secretary":
        conds.append(Task.status != "draft")
    return conds


def _filter_conds(viewer, now: datetime, *, category=None, on_date=None, community_id=None,
                  matching_skills=False, state=None, q=None, date_from=None, date_to=None,
                  grid_id=None, pending=False, series=None) -> list:
    conds = [state_clause(state, now)] if state else []
    for column, value in ((Task.category, category), (Task.community_id, community_id),
                          (Task.grid_id, grid_id), (Task.series_key, series)):
        if value:
            conds.append(column == value)
    if on_date:
        start, end = local_day_range(on_date)
        conds += [Task.starts_at >= start, Task.starts_at < end]
    conds += within_days(Task.starts_at, date_from, date_to)
    search = contains_any(q, Task.title, Task.location)
    if search is not None:
        conds.append(search)
    if pending:
        conds.append(pending_clause())
    if matching_skills:
        conds.append(Task.skills.any(TaskSkill.tag.in_(viewer.skill_tags or [""])))
    return conds


def list_tasks_stmt(viewer, *, now: datetime | None = None, grouped: bool = False, **filters):
    """Tasks ``viewer`` may browse, by start (upcoming first); a member's own community first.

    Filters: ``category``, ``state``, ``community_id``, ``grid_id``, ``on_date``,
    ``date_from``/``date_to`` (the local start day), ``q`` (title and location),
    ``pending`` (hours to confirm), ``series`` (one series), ``matching_skills``.
    ``grouped`` shows a series as one row: its next task, or its last once all are over.
    """
    now = now or utcnow()
    conds = _scope_conds(viewer, filters.get("state"), now) + _filter_conds(viewer, now,
                                                                           **filters)
    order = start_order(now)
    if grouped and not filters.get("series"):
        rank = func.row_number().over(partition_by=Task.series_key, order_by=order).label("rank")
        firsts = select(Task.id, rank).where(*conds, Task.series_key.is_not(None)).subquery()
        conds.append(or_(Task.series_key.is_(None),
                         Task.id.in_(select(firsts.c.id).where(firsts.c.rank == 1))))
    prefix = (case((Task.community_id == viewer.community_id, 0), else_=1),) \
        if viewer.role == "member" else ()
    return select(Task).where(*conds).order_by(*prefix, *order)


def series_counts(tasks, now: datetime | None = None) -> dict[str, tuple[int, int]]:
    """For the series among ``tasks``: (how many tasks, how many not yet over), by key."""
    keys = {t.series_key for t in tasks if t.series_key}
    if not keys:
        return {}
    now = now or utcnow()
    rows = db.session.execute(
        select(Task.series_key, func.count(), func.sum(case((Task.ends_at > now, 1), else_=0)))
        .where(Task.series_key.in_(keys), Task.status != "cancelled")
        .group_by(Task.series_key))
    return {key: (total, int(ahead or 0)) for key, total, ahead in rows}


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
