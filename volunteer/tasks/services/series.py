"""A series (重复排班: tasks sharing a ``series_key``): its tasks, and editing or cancelling
the tasks of the series still ahead in one go."""

import re
from datetime import datetime

from sqlalchemy import select

from volunteer.audit.services import record_action
from volunteer.core.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from volunteer.core.text import required_reason
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.tasks.models import Task
from volunteer.tasks.permissions import can_manage_task, can_view_task
from volunteer.tasks.services.posting import cancel_task, update_task

SERIES_KEY = re.compile(r"[0-9a-f]{1,32}")
SERIES_FIELDS = ("title", "description", "location", "slots")


def get_series(viewer, key: str) -> list[Task]:
    """Every task of a series, by start, as ``viewer`` may see them; NotFound when none."""
    tasks = []
    if isinstance(key, str) and SERIES_KEY.fullmatch(key):
        tasks = list(db.session.scalars(select(Task).where(Task.series_key == key)
                                        .order_by(Task.starts_at, Task.id)))
    if not tasks:
        raise NotFound("找不到该重复排班")
    visible = [t for t in tasks if can_view_task(viewer, t)]
    if not visible:
        raise NotFound("找不到该重复排班") if viewer.role == "member" else NotAllowed()
    return visible


def series_ahead(tasks: list[Task], now: datetime | None = None) -> list[Task]:
    """The tasks of a series a series-wide edit or cancel changes: drafts and open ones not
    yet begun."""
    now = now or utcnow()
    return [t for t in tasks if t.status in ("draft", "open") and t.starts_at > now]


def _managed_series(actor, key: str) -> list[Task]:
    tasks = get_series(actor, key)
    if not all(can_manage_task(actor, t) for t in tasks):
        raise NotAllowed("只有本社区书记可以修改或取消重复排班")
    return tasks


def update_series(actor, key: str, *, now: datetime | None = None, **fields) -> int:
    """Change title, description, location and slots of every task of the series not yet
    begun; claimants are told of a new location (as ``update_task`` does). Returns the count."""
    now = now or utcnow()
    unknown = set(fields) - set(SERIES_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: "不能批量修改" for name in sorted(unknown)})
    if not fields:
        raise ValidationFailed("请至少修改一项：名称、说明、地点或名额")
    ahead = series_ahead(_managed_series(actor, key), now)
    if not ahead:
        raise InvalidState("该重复排班没有尚未开始的服务项目可以修改", code="series_over")
    for task in ahead:
        current = {"title": task.title, "category": task.category,
                   "description": task.description, "location": task.location,
                   "grid_id": task.grid_id, "slots": task.slots, "skills": task.skill_tags,
                   "visibility": task.visibility, "starts_at": task.starts_at,
                   "ends_at": task.ends_at}
        try:
            update_task(actor, task, now=now, **{**current, **fields})
        except ValidationFailed as error:
            if "slots" in error.fields:
                error.fields["slots"] = (f"{task.starts_at:%m-%d} 的一场已有 {task.slots_taken} "
                                         f"人认领，名额不能少于此数")
            raise
    record_action(actor, "update_task_series", ahead[0], series_key=key, count=len(ahead))
    return len(ahead)


def cancel_series(actor, key: str, reason: str, now: datetime | None = None) -> int:
    """Cancel every task of the series not yet begun, with one reason; every claimant and
    everyone waiting is told (as ``cancel_task`` does). Returns the count."""
    now = now or utcnow()
    reason = required_reason(reason)
    ahead = series_ahead(_managed_series(actor, key), now)
    if not ahead:
        raise InvalidState("该重复排班没有尚未开始的服务项目可以取消", code="series_over")
    for task in ahead:
        cancel_task(actor, task, reason, now=now)
    record_action(actor, "cancel_task_series", ahead[0], series_key=key, count=len(ahead),
                  reason=reason)
    return len(ahead)
