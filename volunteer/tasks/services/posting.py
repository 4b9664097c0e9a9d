"""Posting tasks: create, a series of shifts, edit, publish, cancel."""

import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import update

from volunteer.audit.services import record_action
from volunteer.core.errors import InvalidState, NotAllowed, ValidationFailed
from volunteer.core.skills import clean_skills
from volunteer.core.text import clean_text, required_reason
from volunteer.core.time import format_local, utcnow
from volunteer.extensions import db
from volunteer.notifications.services import notify
from volunteer.orgs.models import Community, Grid
from volunteer.tasks.models import CATEGORIES, MAX_SLOTS, MIN_SLOTS, VISIBILITIES, Task, TaskSkill
from volunteer.tasks.permissions import can_manage_task, can_post_task
from volunteer.tasks.services.claiming import _promote_waitlist
from volunteer.tasks.services.errors import (
    DESCRIPTION_MAX,
    LOCATION_MAX,
    MAX_AHEAD,
    MAX_BEHIND,
    MAX_DURATION,
    MAX_SERIES_DAYS,
    MAX_SERIES_TASKS,
    MAX_SHIFTS,
    TITLE_MAX,
)
from volunteer.tasks.services.reading import _live_claims, _waiting
from volunteer.tasks.services.settings import local_datetime


def _check_times(errors: dict, starts_at, ends_at, *, now: datetime, opening: bool) -> None:
    """Start and end: aware, end after start, at most 7 days long, start within a year
    ahead (and, for a draft, within 30 days back), still ahead when it opens."""
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, datetime) or value.tzinfo is None:
            errors[field] = "应为带时区的时间"
    if "starts_at" in errors or "ends_at" in errors:
        return
    if ends_at <= starts_at:
        errors["ends_at"] = "结束时间应晚于开始时间"
    elif ends_at - starts_at > MAX_DURATION:
        errors["ends_at"] = "单个服务项目不能超过 7 天，长期值守请用重复排班"
    if starts_at > now + MAX_AHEAD:
        errors["starts_at"] = (f"开始时间不能晚于一年以后（最晚 "
                               f"{format_local(now + MAX_AHEAD, '%Y-%m-%d')}），请核对年份")
    elif opening and starts_at <= now:
        errors["starts_at"] = "开始时间已过，不能发布"
    elif starts_at < now - MAX_BEHIND:
        errors["starts_at"] = "开始时间不能早于 30 天以前，请核对日期"


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
    _check_times(errors, starts_at, ends_at, now=now, opening=opening)
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


def check_task_fields(actor, *, task: Task | None = None, publish: bool = True,
                      now: datetime | None = None, **fields) -> None:
    """A task's fields checked as ``create_task`` (or, given ``task``, ``update_task``) checks
    them, writing nothing (a page shows these beside its own form errors, all at once)."""
    if task is None:
        _clean_task_fields(actor, fields, now=now or utcnow(), opening=publish)
    else:
        _clean_task_fields(actor, fields, now=now or utcnow(), opening=task.status == "open",
                           min_slots=max(task.slots_taken, MIN_SLOTS))


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
