"""Posting tasks, race-free claiming, the waitlist, check-in/out, confirmation, my record."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, bindparam, case, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from volunteer.audit.services import record_action
from volunteer.auth.models import ApiToken, User
from volunteer.auth.services import read_api_token, token_is_live
from volunteer.core.errors import (
    Conflict,
    InvalidState,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from volunteer.core.text import REASON_MAX, clean_text, required_reason
from volunteer.core.time import format_local, local_zone, to_local, utcnow
from volunteer.extensions import db
from volunteer.members.services import clean_skills
from volunteer.notifications.services import notify
from volunteer.orgs.models import Community, Grid
from volunteer.tasks import summary
from volunteer.tasks.models import (
    CATEGORIES,
    MAX_SLOTS,
    MIN_SLOTS,
    VISIBILITIES,
    Claim,
    Task,
    TaskSkill,
    WaitlistEntry,
    state_clause,
)
from volunteer.tasks.permissions import (
    can_claim_task,
    can_confirm_claim,
    can_manage_task,
    can_post_task,
    can_rate_satisfaction,
    can_view_roster,
    can_view_task,
)

TITLE_MAX, LOCATION_MAX, DESCRIPTION_MAX, COMMENT_MAX = 80, 120, 2000, 500
MAX_DURATION = timedelta(days=7)
MAX_SERIES_DAYS, MAX_SHIFTS, MAX_SERIES_TASKS = 31, 6, 100
MAX_HOURS = 24


class TaskFull(Conflict):
    code = "task_full"
    message = "名额已满，可以加入候补名单"


class AlreadyClaimed(Conflict):
    code = "already_claimed"
    message = "您已认领该服务项目"


class TaskClosed(Conflict):
    code = "task_closed"
    message = "该服务项目已停止认领"


class TimeConflict(Conflict):
    code = "time_conflict"
    message = "与您已认领的其他服务项目时间冲突"


class NotApproved(NotAllowed):
    code = "not_approved"
    message = "报到审核通过后才能认领服务项目"


class CancelTooLate(InvalidState):
    code = "cancel_too_late"
    message = "已过取消截止时间，请联系社区书记"


class OutsideWindow(InvalidState):
    code = "outside_window"
    message = "不在签到签退时间内"


class QrExpired(InvalidState):
    code = "qr_expired"
    message = "二维码已过期或无效，请扫描现场最新的二维码"


class NotClaimed(InvalidState):
    code = "not_claimed"
    message = "您没有认领该服务项目"


# ---------------------------------------------------------------- settings and time


def _setting(name: str, default):
    return current_app.config.get(name, default)


def cancel_cutoff() -> timedelta:
    return timedelta(hours=_setting("TASK_CANCEL_CUTOFF_HOURS", 2))


def check_in_early() -> timedelta:
    return timedelta(minutes=_setting("TASK_CHECKIN_EARLY_MINUTES", 30))


def check_out_late() -> timedelta:
    return timedelta(minutes=_setting("TASK_CHECKOUT_LATE_MINUTES", 120))


def local_datetime(day: date, at: time) -> datetime:
    """A local wall-clock time as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=local_zone()).astimezone(UTC)


def local_day_range(day: date) -> tuple[datetime, datetime]:
    start = local_datetime(day, time())
    return start, local_datetime(day + timedelta(days=1), time())


# ---------------------------------------------------------------- posting


def _clean_task_fields(actor, data: dict, *, now: datetime, opening: bool,
                       min_slots: int = MIN_SLOTS) -> dict:
    """Validate posted task fields; every bad field is named in one ValidationFailed."""
    errors: dict[str, str] = {}
    clean = {
        "title": clean_text(errors, "title", data.get("title"), TITLE_MAX, missing="必填"),
        "description": clean_text(errors, "description", data.get("description"),
                                  DESCRIPTION_MAX, required=False),
        "location": clean_text(errors, "location", data.get("location"), LOCATION_MAX,
                               missing="必填"),
    }
    category = data.get("category")
    if category not in CATEGORIES:
        errors["category"] = "类别无效，请从列表中选择"
    clean["category"] = category
    visibility = data.get("visibility") or "community"
    if visibility not in VISIBILITIES:
        errors["visibility"] = "可见范围无效"
    clean["visibility"] = visibility
    slots = data.get("slots")
    if not isinstance(slots, int) or isinstance(slots, bool):
        errors["slots"] = "应为整数"
    elif not MIN_SLOTS <= slots <= MAX_SLOTS:
        errors["slots"] = f"名额应在 {MIN_SLOTS} 到 {MAX_SLOTS} 之间"
    elif slots < min_slots:
        errors["slots"] = f"不能少于已认领的 {min_slots} 人"
    clean["slots"] = slots
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, datetime) or value.tzinfo is None:
            errors[field] = "应为带时区的时间"
    if "starts_at" not in errors and "ends_at" not in errors:
        if ends_at <= starts_at:
            errors["ends_at"] = "结束时间应晚于开始时间"
        elif ends_at - starts_at > MAX_DURATION:
            errors["ends_at"] = "单个服务项目不能超过 7 天，长期值守请用重复排班"
        if opening and starts_at <= now:
            errors["starts_at"] = "开始时间已过，不能发布"
    clean["starts_at"], clean["ends_at"] = starts_at, ends_at
    grid_id = data.get("grid_id")
    if grid_id is not None:
        grid = db.session.get(Grid, grid_id) if isinstance(grid_id, int) else None
        if grid is None or grid.community_id != actor.community_id:
            errors["grid_id"] = "所选网格不属于本社区"
    clean["grid_id"] = grid_id
    try:
        clean["skills"] = clean_skills(data.get("skills"))
    except ValidationFailed as error:
        errors.update(error.fields)
    if errors:
        raise ValidationFailed(fields=errors)
    return clean


def _new_task(actor, clean: dict, *, publish: bool, now: datetime, series_key=None) -> Task:
    community = db.session.get(Community, actor.community_id)
    task = Task(community_id=community.id, street_id=community.street_id,
                created_by_id=actor.id, status="open" if publish else "draft",
                published_at=now if publish else None, series_key=series_key, slots_taken=0,
                **{k: v for k, v in clean.items() if k != "skills"})
    task.skills = [TaskSkill(tag=tag) for tag in clean["skills"]]
    db.session.add(task)
    return task


def create_task(actor, *, publish: bool = True, now: datetime | None = None, **fields) -> Task:
    """Post a task (open at once, or a draft) for the secretary's community."""
    if not can_post_task(actor):
        raise NotAllowed("只有社区书记可以发布服务项目")
    now = now or utcnow()
    clean = _clean_task_fields(actor, fields, now=now, opening=publish)
    task = _new_task(actor, clean, publish=publish, now=now)
    db.session.flush()
    record_action(actor, "create_task", task, title=task.title, status=task.status)
    return task


def parse_shifts(text: str) -> list[tuple[time, time]]:
    """``08:00-12:00, 14:00-18:00`` into time pairs; ValidationFailed naming ``shifts``."""
    shifts = []
    for part in [p.strip() for p in (text or "").replace("，", ",").split(",") if p.strip()]:
        try:
            start, end = (time.fromisoformat(x.strip()) for x in part.replace("—", "-").split("-"))
        except ValueError:
            raise ValidationFailed(fields={"shifts": f"班次“{part}”格式应为 08:00-12:00"}) \
                from None
        shifts.append((start, end))
    return shifts


def create_task_series(actor, *, first_date: date, days: int, shifts: list[tuple[time, time]],
                       publish: bool = True, now: datetime | None = None, **fields) -> list[Task]:
    """A repeating roster: one task per shift per day, all created in the caller's transaction."""
    if not can_post_task(actor):
        raise NotAllowed("只有社区书记可以发布服务项目")
    now = now or utcnow()
    errors = {}
    if not isinstance(first_date, date):
        errors["first_date"] = "应为日期"
    if not isinstance(days, int) or not 1 <= days <= MAX_SERIES_DAYS:
        errors["days"] = f"天数应在 1 到 {MAX_SERIES_DAYS} 之间"
    if not shifts or len(shifts) > MAX_SHIFTS:
        errors["shifts"] = f"请填写 1 到 {MAX_SHIFTS} 个班次"
    elif isinstance(days, int) and days * len(shifts) > MAX_SERIES_TASKS:
        errors["days"] = f"一次最多生成 {MAX_SERIES_TASKS} 个服务项目"
    if errors:
        raise ValidationFailed(fields=errors)
    key = uuid.uuid4().hex[:12]
    tasks = []
    for offset in range(days):
        day = first_date + timedelta(days=offset)
        for start, end in shifts:
            starts_at = local_datetime(day, start)
            ends_at = local_datetime(day + timedelta(days=1) if end <= start else day, end)
            try:
                clean = _clean_task_fields(actor, {**fields, "starts_at": starts_at,
                                                   "ends_at": ends_at}, now=now, opening=publish)
            except ValidationFailed as error:
                if "starts_at" in error.fields:
                    error.fields["first_date"] = error.fields.pop("starts_at")
                raise
            tasks.append(_new_task(actor, clean, publish=publish, now=now, series_key=key))
    db.session.flush()
    record_action(actor, "create_task_series", tasks[0], series_key=key, count=len(tasks))
    return tasks


def _editable(task: Task, now: datetime) -> None:
    if task.state_at(now) in ("in_progress", "done", "cancelled"):
        raise InvalidState("已开始、已结束或已取消的服务项目不能修改")


def update_task(actor, task: Task, *, now: datetime | None = None, **fields) -> Task:
    """Edit a draft or open task; slots never fall below the claims already held."""
    if not can_manage_task(actor, task):
        raise NotAllowed()
    now = now or utcnow()
    _editable(task, now)
    clean = _clean_task_fields(actor, fields, now=now, opening=task.status == "open",
                               min_slots=max(task.slots_taken, MIN_SLOTS))
    before = (task.starts_at, task.ends_at, task.location)
    # the slot count changes only if no claim slipped in meanwhile
    result = db.session.execute(
        update(Task).where(Task.id == task.id, Task.slots_taken <= clean["slots"])
        .values(slots=clean["slots"]).execution_options(synchronize_session=False))
    db.session.expire(task, ["slots", "slots_taken"])
    if result.rowcount != 1:
        raise ValidationFailed(fields={"slots": f"不能少于已认领的 {task.slots_taken} 人"})
    for name in ("title", "category", "description", "location", "starts_at", "ends_at",
                 "grid_id", "visibility"):
        setattr(task, name, clean[name])
    task.skills = [TaskSkill(tag=tag) for tag in clean["skills"]]
    db.session.flush()
    if before != (task.starts_at, task.ends_at, task.location):
        for claim in _live_claims(task):
            notify(claim.member_id, "task_changed", f"服务项目有变动：{task.title}",
                   f"时间：{format_local(task.starts_at)}—{format_local(task.ends_at, '%H:%M')}，"
                   f"地点：{task.location}", link=f"/tasks/{task.id}")
    record_action(actor, "update_task", task, slots=task.slots)
    _promote_waitlist(task, now)
    return task


def publish_task(actor, task: Task, now: datetime | None = None) -> Task:
    """Open a draft for claiming; its start must still be ahead."""
    if not can_manage_task(actor, task):
        raise NotAllowed()
    now = now or utcnow()
    if task.status != "draft":
        raise InvalidState("只有草稿可以发布")
    if task.starts_at <= now:
        raise ValidationFailed("开始时间已过，请修改后再发布", fields={"starts_at": "开始时间已过"})
    task.status = "open"
    task.published_at = now
    record_action(actor, "publish_task", task)
    return task


def cancel_task(actor, task: Task, reason: str, now: datetime | None = None) -> Task:
    """Cancel a task with a reason; every claimant and everyone waiting is told."""
    if not can_manage_task(actor, task):
        raise NotAllowed()
    now = now or utcnow()
    reason = required_reason(reason)
    if task.state_at(now) in ("done", "cancelled"):
        raise InvalidState("已结束或已取消的服务项目不能取消")
    task.status = "cancelled"
    task.cancel_reason = reason
    task.cancelled_at = now
    for claim in _live_claims(task):
        claim.status, claim.ended_at, claim.end_reason = "cancelled", now, f"项目取消：{reason}"
        notify(claim.member_id, "task_cancelled", f"服务项目已取消：{task.title}",
               f"原因：{reason}", link=f"/tasks/{task.id}")
    for entry in _waiting(task):
        entry.status, entry.ended_at = "left", now
        notify(entry.member_id, "task_cancelled", f"服务项目已取消：{task.title}",
               f"原因：{reason}", link=f"/tasks/{task.id}")
    task.slots_taken = 0
    record_action(actor, "cancel_task", task, reason=reason)
    return task


# ---------------------------------------------------------------- reading


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


# ---------------------------------------------------------------- claiming


def _check_member(member, task: Task) -> None:
    if member.role != "member":
        raise NotAllowed("只有在职党员可以认领服务项目")
    if member.status != "approved":
        raise NotApproved()
    if not can_claim_task(member, task):
        raise NotFound("找不到该服务项目")


def _holds_claim(member_id: int, task: Task) -> bool:
    return db.session.scalar(select(Claim.id).where(
        Claim.task_id == task.id, Claim.member_id == member_id, Claim.status == "claimed")
        ) is not None


def _has_time_conflict(member_id: int, task: Task) -> bool:
    return db.session.scalar(select(Claim.id).join(Task).where(
        Claim.member_id == member_id, Claim.status == "claimed", Task.id != task.id,
        Task.status == "open", Task.starts_at < task.ends_at, Task.ends_at > task.starts_at)
        .limit(1)) is not None


def _lock_member(member_id: int) -> None:
    # serialises one member's claims on PostgreSQL (SQLite's BEGIN IMMEDIATE already does),
    # so two overlapping tasks cannot both be claimed at once
    db.session.execute(select(User.id).where(User.id == member_id).with_for_update())


def _take_slot(task: Task, now: datetime) -> bool:
    """The race-free step: one conditional UPDATE whose row count says if a slot was won."""
    result = db.session.execute(
        update(Task).where(Task.id == task.id, Task.status == "open", Task.starts_at > now,
                           Task.slots_taken < Task.slots)
        .values(slots_taken=Task.slots_taken + 1).execution_options(synchronize_session=False))
    db.session.expire(task, ["slots_taken", "status"])
    return result.rowcount == 1


def _insert_claim(task: Task, member_id: int) -> Claim:
    claim = Claim(task_id=task.id, member_id=member_id, status="claimed")
    db.session.add(claim)
    try:
        db.session.flush()
    except IntegrityError:
        # the partial unique index: a second live claim of the same member on this task
        raise AlreadyClaimed() from None
    return claim


def _closed(task: Task, now: datetime) -> bool:
    return task.status != "open" or task.starts_at <= now


def _refuse_early(member, task, now: datetime, holds_claim) -> None:
    """The refusals a plain read may give: not a member, not approved, out of reach, closed,
    full. ``task`` is a Task or a row with its columns; ``holds_claim()`` is asked only when the
    task is full (then a member holding a claim hears ``already_claimed``)."""
    _check_member(member, task)
    if _closed(task, now):
        raise TaskClosed()
    if task.slots_taken >= task.slots:  # a read may say "full" safely; only the UPDATE says "won"
        raise AlreadyClaimed() if holds_claim() else TaskFull()


def claim_task(member, task: Task, now: datetime | None = None) -> Claim:
    """认领: take one slot of an open task; never more claims than slots, never two per member."""
    now = now or utcnow()
    _refuse_early(member, task, now, lambda: _holds_claim(member.id, task))
    _lock_member(member.id)
    if _holds_claim(member.id, task):
        raise AlreadyClaimed()
    if _has_time_conflict(member.id, task):
        raise TimeConflict()
    if not _take_slot(task, now):
        raise TaskClosed() if _closed(task, now) else TaskFull()
    claim = _insert_claim(task, member.id)
    db.session.execute(update(WaitlistEntry).where(
        WaitlistEntry.task_id == task.id, WaitlistEntry.member_id == member.id,
        WaitlistEntry.status == "waiting").values(status="promoted", ended_at=now)
        .execution_options(synchronize_session=False))
    return claim


_tasks, _claims = Task.__table__, Claim.__table__
# what a claim is first decided on: the task's columns and whether the member already holds a
# live claim on it, in one Core statement built once (no ORM load, no per-request compile)
_CLAIM_FACTS = select(
    _tasks.c.id, _tasks.c.status, _tasks.c.visibility, _tasks.c.community_id,
    _tasks.c.street_id, _tasks.c.starts_at, _tasks.c.slots, _tasks.c.slots_taken,
    exists().where(_claims.c.task_id == _tasks.c.id,
                   _claims.c.member_id == bindparam("member_id"),
                   _claims.c.status == "claimed").label("holds_claim"),
).where(_tasks.c.id == bindparam("task_id"))


def claim_task_by_id(member, task_id: int, now: datetime | None = None) -> Claim:
    """认领 by task id (the API): the same rules and answers as ``get_task`` then
    ``claim_task``. In a rush almost every request is refused (full, closed), so the refusals
    are decided from one Core row; only a request that may win loads the task and claims."""
    now = now or utcnow()
    if member.role != "member" or not isinstance(task_id, int):
        return claim_task(member, get_task(member, task_id), now)
    facts = db.session.execute(_CLAIM_FACTS, {"task_id": task_id, "member_id": member.id}).first()
    if facts is None or not can_view_task(member, facts):
        raise NotFound("找不到该服务项目")
    _refuse_early(member, facts, now, lambda: facts.holds_claim)
    return claim_task(member, db.session.get(Task, task_id), now)


_users, _tokens = User.__table__, ApiToken.__table__
# a claim rush on PostgreSQL: the bearer token, its member and the claim facts in one read
_RUSH_FACTS = (
    select(_users.c.id, _users.c.role, _users.c.status, _users.c.active,
           _users.c.session_version.label("user_version"), _users.c.community_id,
           _users.c.street_id, _tokens.c.secret_hash,
           _tokens.c.session_version.label("token_version"), _tokens.c.revoked_at,
           _tokens.c.expires_at, _tasks.c.id.label("task_id"),
           _tasks.c.status.label("task_status"), _tasks.c.visibility,
           _tasks.c.community_id.label("task_community_id"),
           _tasks.c.street_id.label("task_street_id"), _tasks.c.starts_at, _tasks.c.slots,
           _tasks.c.slots_taken,
           exists().where(_claims.c.task_id == _tasks.c.id,
                          _claims.c.member_id == _users.c.id,
                          _claims.c.status == "claimed").label("holds_claim"))
    .select_from(_tokens.join(_users, _users.c.id == _tokens.c.user_id)
                 .outerjoin(_tasks, _tasks.c.id == bindparam("task_id")))
    .where(_tokens.c.id == bindparam("token_id"))
)


def refuse_claim_early(bearer: str, task_id: int, now: datetime | None = None) -> None:
    """Before anyone is logged in: raise the refusal a claim by this bearer token would get
    (404, 403 ``not_approved``, 409 ``task_closed``, ``task_full``, ``already_claimed``).

    In a rush nearly every claim is refused, and this decides it from one read on an
    autocommit connection: no user entity, no session, no BEGIN and ROLLBACK. It returns
    quietly whenever the regular path must answer instead — the request may win, the token is
    not a live member's (401 then comes from the login check) — and on SQLite, where every
    transaction begins with BEGIN IMMEDIATE and a separate connection buys nothing.
    """
    if db.engine.dialect.name != "postgresql" or not isinstance(task_id, int):
        return
    token = read_api_token(bearer)
    if token is None:
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        row = conn.execute(_RUSH_FACTS, {"token_id": token[0], "task_id": task_id}).first()
    if row is None or row.role != "member" or not token_is_live(
            token[1], secret_hash=row.secret_hash, revoked_at=row.revoked_at,
            expires_at=row.expires_at, active=row.active, user_version=row.user_version,
            token_version=row.token_version):
        return
    member = SimpleNamespace(id=row.id, role=row.role, status=row.status,
                             community_id=row.community_id, street_id=row.street_id)
    task = SimpleNamespace(id=row.task_id, status=row.task_status, visibility=row.visibility,
                           community_id=row.task_community_id, street_id=row.task_street_id,
                           starts_at=row.starts_at, slots=row.slots,
                           slots_taken=row.slots_taken)
    if row.task_id is None or not can_view_task(member, task):
        raise NotFound("找不到该服务项目")
    _refuse_early(member, task, now or utcnow(), lambda: row.holds_claim)


def _release_slot(task: Task) -> None:
    db.session.execute(update(Task).where(Task.id == task.id, Task.slots_taken > 0)
                       .values(slots_taken=Task.slots_taken - 1)
                       .execution_options(synchronize_session=False))
    db.session.expire(task, ["slots_taken"])


def _promote_waitlist(task: Task, now: datetime) -> list[Claim]:
    """Give freed slots to the first eligible members waiting; each is told."""
    promoted = []
    for entry in _waiting(task):
        if _closed(task, now) or task.slots_taken >= task.slots:
            break
        member = entry.member
        if (not can_claim_task(member, task) or get_live_claim(member, task) is not None
                or _has_time_conflict(member.id, task)):
            entry.status, entry.ended_at = "skipped", now
            continue
        _lock_member(member.id)
        if not _take_slot(task, now):
            break
        promoted.append(_insert_claim(task, member.id))
        entry.status, entry.ended_at = "promoted", now
        notify(member, "waitlist_promoted", f"候补成功：{task.title}",
               f"有人取消了认领，您已自动获得名额。时间：{format_local(task.starts_at)}，"
               f"地点：{task.location}。", link=f"/tasks/{task.id}")
    return promoted


def cancel_claim(member, task: Task, now: datetime | None = None) -> Claim:
    """The member gives a slot back before the cutoff; the first on the waitlist gets it."""
    now = now or utcnow()
    claim = get_live_claim(member, task)
    if claim is None:
        raise NotClaimed()
    if now > task.starts_at - cancel_cutoff():
        hours = _setting("TASK_CANCEL_CUTOFF_HOURS", 2)
        raise CancelTooLate(f"开始前 {hours} 小时内不能取消，请联系社区书记")
    claim.status, claim.ended_at, claim.end_reason = "cancelled", now, "本人取消"
    db.session.flush()
    _release_slot(task)
    _promote_waitlist(task, now)
    return claim


def remove_claim(actor, claim: Claim, reason: str, now: datetime | None = None) -> Claim:
    """The secretary removes a claimant, with a reason the member is told."""
    if not can_confirm_claim(actor, claim):
        raise NotAllowed()
    now = now or utcnow()
    reason = required_reason(reason)
    if not claim.is_live or claim.confirmed_at is not None:
        raise InvalidState("该认领已结束或已确认，不能移除")
    claim.status, claim.ended_at, claim.end_reason = "removed", now, reason
    db.session.flush()
    _release_slot(claim.task)
    record_action(actor, "remove_claim", claim, task_id=claim.task_id, reason=reason)
    notify(claim.member_id, "claim_removed", f"您已被移出服务项目：{claim.task.title}",
           f"原因：{reason}", link=f"/tasks/{claim.task_id}")
    _promote_waitlist(claim.task, now)
    return claim


def join_waitlist(member, task: Task, now: datetime | None = None) -> WaitlistEntry:
    """Wait for a slot of a full task; the first waiting gets the next freed slot."""
    now = now or utcnow()
    _check_member(member, task)
    if _closed(task, now):
        raise TaskClosed()
    if task.slots_taken < task.slots:
        raise InvalidState("尚有名额，请直接认领", code="task_not_full")
    if get_live_claim(member, task) is not None:
        raise AlreadyClaimed()
    if _has_time_conflict(member.id, task):
        raise TimeConflict()
    entry = WaitlistEntry(task_id=task.id, member_id=member.id)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        raise Conflict("您已在候补名单中", code="already_waiting") from None
    return entry


def leave_waitlist(member, task: Task, now: datetime | None = None) -> WaitlistEntry:
    """Leave a task's waitlist."""
    entry = db.session.scalar(select(WaitlistEntry).where(
        WaitlistEntry.task_id == task.id, WaitlistEntry.member_id == member.id,
        WaitlistEntry.status == "waiting"))
    if entry is None:
        raise InvalidState("您不在候补名单中", code="not_waiting")
    entry.status, entry.ended_at = "left", now or utcnow()
    return entry


# ---------------------------------------------------------------- check-in and check-out


def _qr_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="tasks.check-in-qr")


def qr_rotate_seconds() -> int:
    return int(_setting("TASK_QR_ROTATE_SECONDS", 180))


def _qr_period(now: datetime) -> int:
    return int(now.timestamp()) // qr_rotate_seconds()


def qr_token(actor, task: Task, now: datetime | None = None) -> str:
    """The task's current on-the-spot check-in token; it rotates every few minutes."""
    if not can_manage_task(actor, task):
        raise NotAllowed()
    return _qr_serializer().dumps([task.id, _qr_period(now or utcnow())])


def task_of_qr_token(token: str, now: datetime | None = None) -> int:
    """The task id inside a current (or just-rotated) token, else QrExpired."""
    try:
        task_id, period = _qr_serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise QrExpired() from None
    if not isinstance(task_id, int) or _qr_period(now or utcnow()) - period not in (0, 1):
        raise QrExpired()
    return task_id


def _claim_for_service(member, task: Task, now: datetime) -> Claim:
    claim = get_live_claim(member, task)
    if claim is None:
        raise NotClaimed()
    if task.status == "cancelled":
        raise TaskClosed("该服务项目已取消")
    opens, closes = task.check_window(check_in_early(), check_out_late())
    if not opens <= now <= closes:
        raise OutsideWindow(f"签到签退时间为 {format_local(opens)} 至 {format_local(closes)}")
    return claim


def service_minutes(task: Task, checked_in_at: datetime, checked_out_at: datetime) -> int:
    """Minutes of service between check-in and check-out, clipped to the task's window."""
    start = max(checked_in_at, task.starts_at)
    end = min(checked_out_at, task.ends_at)
    return max(0, int((end - start).total_seconds() // 60))


def check_in(member, task: Task, *, token: str | None = None,
             now: datetime | None = None) -> Claim:
    """签到 by button, or "scanned" with the token of the task's on-the-spot QR code."""
    now = now or utcnow()
    method = "button"
    if token is not None:
        if task_of_qr_token(token, now) != task.id:
            raise QrExpired("二维码与该服务项目不符")
        method = "scanned"
    claim = _claim_for_service(member, task, now)
    if claim.checked_in_at is not None:
        raise InvalidState("您已签到", code="already_checked_in")
    claim.checked_in_at, claim.check_in_method = now, method
    return claim


def check_out(member, task: Task, now: datetime | None = None) -> Claim:
    """签退; the self-recorded hours follow, clipped to the task's window."""
    now = now or utcnow()
    claim = _claim_for_service(member, task, now)
    if claim.checked_in_at is None:
        raise InvalidState("请先签到", code="not_checked_in")
    if claim.checked_out_at is not None:
        raise InvalidState("您已签退", code="already_checked_out")
    claim.checked_out_at = now
    claim.self_minutes = service_minutes(task, claim.checked_in_at, now)
    return claim


def flag_forgotten_checkouts(now: datetime | None = None) -> int:
    """Tell each task's secretaries, once, who checked in but never checked out."""
    now = now or utcnow()
    claims = list(db.session.scalars(select(Claim).join(Task).where(
        Claim.status == "claimed", Claim.checked_in_at.is_not(None),
        Claim.checked_out_at.is_(None), Claim.checkout_flagged_at.is_(None),
        Task.ends_at < now - check_out_late()).order_by(Claim.task_id, Claim.id)))
    by_task: dict[int, list[Claim]] = {}
    for claim in claims:
        claim.checkout_flagged_at = now
        by_task.setdefault(claim.task_id, []).append(claim)
    for task_id, rows in by_task.items():
        task = rows[0].task
        names = "、".join(c.member.name for c in rows)
        for secretary in db.session.scalars(select(User).where(
                User.role == "community_secretary", User.community_id == task.community_id,
                User.active.is_(True))):
            notify(secretary, "checkout_forgotten", f"有党员未签退：{task.title}",
                   f"{names} 签到后未签退，请核实并确认服务时长。",
                   link=f"/tasks/{task_id}/roster")
    return len(claims)


REMINDERS = (("reminded_2h_at", timedelta(hours=2), "2 小时"),
             ("reminded_24h_at", timedelta(hours=24), "24 小时"))


def send_task_reminders(now: datetime | None = None) -> int:
    """Remind each claimant 24 hours and 2 hours before their task starts, once each.

    A claim made less than two hours before the start gets only the 2-hour reminder.
    """
    now = now or utcnow()
    sent = 0
    for column_name, ahead, label in REMINDERS:
        column = getattr(Claim, column_name)
        claims = list(db.session.scalars(select(Claim).join(Task).where(
            Claim.status == "claimed", column.is_(None), Task.status == "open",
            Task.starts_at > now, Task.starts_at <= now + ahead).order_by(Claim.id)))
        for claim in claims:
            setattr(claim, column_name, now)
            if column_name == "reminded_2h_at":
                claim.reminded_24h_at = claim.reminded_24h_at or now
            task = claim.task
            notify(claim.member, "task_reminder", f"服务提醒：{task.title}",
                   f"您认领的服务项目将在{label}内开始：{format_local(task.starts_at)}，"
                   f"地点：{task.location}。如不能参加，请尽早取消以便递补。",
                   link=f"/tasks/{task.id}")
            sent += 1
    return sent


# ---------------------------------------------------------------- confirmation and ratings


def _check_rating(field: str, value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise ValidationFailed(fields={field: "应为 1 到 5 的整数"})
    return value


def _service_over(claim: Claim, now: datetime) -> bool:
    return claim.checked_out_at is not None or now >= claim.task.ends_at


def confirm_claim(actor, claim: Claim, *, quality: int, hours: float | None = None,
                  reason: str | None = None, now: datetime | None = None) -> Claim:
    """The secretary confirms hours and rates quality; hours differing from the member's own
    record are kept as "adjusted", with a reason, and audited."""
    if not can_confirm_claim(actor, claim):
        raise NotAllowed("只有本社区书记可以确认服务时长")
    now = now or utcnow()
    if not claim.is_live:
        raise InvalidState("该认领已取消或被移除")
    if not _service_over(claim, now):
        raise InvalidState("服务结束或党员签退后才能确认")
    errors = {}
    try:
        quality = _check_rating("quality", quality)
    except ValidationFailed as error:
        errors.update(error.fields)
    if hours is None:
        minutes = claim.self_minutes
        if minutes is None:
            errors["hours"] = "该党员没有完整的签到签退记录，请填写服务时长并说明原因"
    elif isinstance(hours, bool) or not isinstance(hours, int | float) \
            or not 0 < hours <= MAX_HOURS:
        errors["hours"] = f"服务时长应大于 0 且不超过 {MAX_HOURS} 小时"
        minutes = None
    else:
        minutes = round(hours * 60)
    adjusted = minutes is not None and minutes != claim.self_minutes
    reason = clean_text(errors, "reason", reason, REASON_MAX, required=adjusted,
                        missing="调整服务时长须说明原因")
    if errors:
        raise ValidationFailed(fields=errors)
    first = claim.confirmed_at is None
    claim.confirmed_minutes, claim.quality, claim.no_show = minutes, quality, False
    claim.adjusted, claim.adjust_reason = adjusted, (reason or None) if adjusted else None
    claim.confirmed_at, claim.confirmed_by_id = now, actor.id
    record_action(actor, "adjust_claim_hours" if adjusted else "confirm_claim", claim,
                  task_id=claim.task_id, minutes=minutes, self_minutes=claim.self_minutes,
                  quality=quality, reason=reason or None)
    summary.refresh_claim(claim)
    if first:
        notify(claim.member_id, "claim_confirmed", f"服务时长已确认：{claim.task.title}",
               f"确认时长 {minutes / 60:.1f} 小时，服务质量 {quality} 星。",
               link="/me/service")
    return claim


def mark_no_show(actor, claim: Claim, now: datetime | None = None) -> Claim:
    """Mark a claimant who never came (no check-in) once the task has begun."""
    if not can_confirm_claim(actor, claim):
        raise NotAllowed()
    now = now or utcnow()
    if not claim.is_live:
        raise InvalidState("该认领已取消或被移除")
    if now < claim.task.starts_at:
        raise InvalidState("服务开始后才能标记缺席")
    if claim.checked_in_at is not None:
        raise InvalidState("该党员已签到，不能标记缺席")
    claim.no_show, claim.confirmed_minutes, claim.quality = True, 0, None
    claim.adjusted, claim.adjust_reason = False, None
    claim.confirmed_at, claim.confirmed_by_id = now, actor.id
    record_action(actor, "mark_no_show", claim, task_id=claim.task_id)
    summary.refresh_claim(claim)
    notify(claim.member_id, "claim_no_show", f"服务项目记为缺席：{claim.task.title}",
           "如有异议请联系社区书记。", link="/me/service")
    return claim


def rate_satisfaction(actor, claim: Claim, *, satisfaction: int, comment: str | None = None,
                      now: datetime | None = None) -> Claim:
    """The served resident's satisfaction, entered on their behalf by secretary or grid worker."""
    if not can_rate_satisfaction(actor, claim):
        raise NotAllowed()
    now = now or utcnow()
    if not claim.is_live or claim.no_show:
        raise InvalidState("只能评价实际提供的服务")
    if now < claim.task.starts_at:
        raise InvalidState("服务开始后才能评价")
    satisfaction = _check_rating("satisfaction", satisfaction)
    comment = (comment or "").strip() if isinstance(comment, str) or comment is None else None
    if comment is None or len(comment) > COMMENT_MAX:
        raise ValidationFailed(fields={"comment": f"应为不超过 {COMMENT_MAX} 个字符的文本"})
    claim.satisfaction, claim.satisfaction_comment = satisfaction, comment or None
    claim.satisfaction_by_id = actor.id
    record_action(actor, "rate_satisfaction", claim, satisfaction=satisfaction)
    summary.refresh_claim(claim)
    return claim


# ---------------------------------------------------------------- my service


def list_my_claims_stmt(member, *, when: str | None = None, now: datetime | None = None):
    """A member's claims: ``upcoming`` (live, service not yet over), ``history`` (the rest),
    or all."""
    now = now or utcnow()
    stmt = select(Claim).join(Task).where(Claim.member_id == member.id)
    upcoming = and_(Claim.status == "claimed", Task.status == "open", Task.ends_at > now,
                    Claim.checked_out_at.is_(None), Claim.confirmed_at.is_(None))
    if when == "upcoming":
        return stmt.where(upcoming).order_by(Task.starts_at, Claim.id)
    if when == "history":
        stmt = stmt.where(~upcoming)
    return stmt.order_by(Task.starts_at.desc(), Claim.id.desc())


def _period(now: datetime, *, year: bool) -> tuple[datetime, datetime]:
    local = to_local(now)
    if year:
        first, following = date(local.year, 1, 1), date(local.year + 1, 1, 1)
    else:
        first = date(local.year, local.month, 1)
        following = date(local.year + local.month // 12, local.month % 12 + 1, 1)
    return local_datetime(first, time()), local_datetime(following, time())


def sum_confirmed(member, start: datetime, end: datetime) -> tuple[int, int]:
    """(services, confirmed minutes) of a member's tasks starting in ``[start, end)``."""
    row = db.session.execute(select(func.count(Claim.id), func.coalesce(
        func.sum(Claim.confirmed_minutes), 0)).join(Task).where(
        Claim.member_id == member.id, Claim.status == "claimed",
        Claim.confirmed_at.is_not(None), Claim.no_show.is_(False),
        Task.starts_at >= start, Task.starts_at < end)).one()
    return int(row[0]), int(row[1])


def service_totals(member, now: datetime | None = None) -> dict:
    """Confirmed services and hours this month and this year (local calendar)."""
    now = now or utcnow()
    totals = {}
    for name, year in (("month", False), ("year", True)):
        count, minutes = sum_confirmed(member, *_period(now, year=year))
        totals[name] = {"services": count, "hours": round(minutes / 60, 1)}
    return totals


def certificate(member, start: date, end: date) -> dict:
    """服务证明: a member's confirmed services with tasks starting between two local dates."""
    if member.role != "member":
        raise NotAllowed()
    if not isinstance(start, date) or not isinstance(end, date):
        raise ValidationFailed(fields={"start": "应为日期"})
    if end < start:
        raise ValidationFailed(fields={"end": "结束日期不能早于开始日期"})
    if (end - start).days > 366 * 3:
        raise ValidationFailed(fields={"end": "证明期间不能超过 3 年"})
    since, until = local_datetime(start, time()), local_datetime(end + timedelta(days=1), time())
    claims = list(db.session.scalars(select(Claim).join(Task).where(
        Claim.member_id == member.id, Claim.status == "claimed",
        Claim.confirmed_at.is_not(None), Claim.no_show.is_(False),
        Task.starts_at >= since, Task.starts_at < until).order_by(Task.starts_at)))
    minutes = sum(c.confirmed_minutes or 0 for c in claims)
    return {"member": member, "start": start, "end": end, "claims": claims,
            "services": len(claims), "hours": round(minutes / 60, 1)}
