"""Reading the audit log (操作日志, /admin/audit): filters, and rows as people read them —
Chinese action names, objects by name with links, details with labels and without empties.

Here rather than in ``audit`` because naming objects reads every feature's models, and every
feature imports ``audit`` to record; ``privacy`` (which keeps the log's retention floor) is
imported by none of them.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from volunteer.audit.labels import (
    ACTIONS,
    DETAIL_OBJECTS,
    DETAILS,
    OBJECTS,
    action_label,
    object_label,
)
from volunteer.audit.models import AuditLog
from volunteer.auth.models import ROLES, User
from volunteer.auth.permissions import can_view_audit_log
from volunteer.commendations.models import Commendation
from volunteer.core.edge import INT_MAX, date_in_range
from volunteer.core.errors import NotAllowed
from volunteer.core.i18n import N_, period_label
from volunteer.core.time import local_zone
from volunteer.extensions import db
from volunteer.mobilisation.models import Mobilisation
from volunteer.orgs.models import Branch, Community, Grid, Street, Unit
from volunteer.privacy.models import DeletionRequest
from volunteer.reports.kinds import label_of as report_label
from volunteer.reports.models import ReportRequest
from volunteer.requests.models import ServiceRequest
from volunteer.requests.models import category_label as request_category
from volunteer.tasks.models import STATES as TASK_STATES
from volunteer.tasks.models import Claim, Task
from volunteer.wishes.models import HOUSEHOLD_KINDS, Wish
from volunteer.wishes.models import STATUSES as WISH_STATUSES

MAX_QUERY = 50
PHOTO_KINDS = {"wish": N_("心愿照片"), "fulfil": N_("圆梦照片")}
# table → (model, the link's endpoint and its argument; None: no page of its own)
MODELS = {
    "users": (User, None), "tasks": (Task, ("tasks.detail", "task_id")),
    "claims": (Claim, None), "wishes": (Wish, ("wishes.detail", "wish_id")),
    "service_requests": (ServiceRequest, ("requests.detail", "request_id")),
    "mobilisations": (Mobilisation, ("mobilisation.detail", "mobilisation_id")),
    "streets": (Street, ("orgs.edit_object", "streets")),
    "communities": (Community, ("orgs.edit_object", "communities")),
    "grids": (Grid, ("orgs.edit_object", "grids")),
    "units": (Unit, ("orgs.edit_object", "units")),
    "branches": (Branch, ("orgs.edit_object", "branches")),
    "commendations": (Commendation, None), "deletion_requests": (DeletionRequest, None),
    "report_requests": (ReportRequest, ("reports.runs", None)),
}


@dataclass
class Filters:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: int | None = None
    day_from: date | None = None
    day_to: date | None = None
    errors: dict = field(default_factory=dict)


def parse_filters(args) -> Filters:
    """The page's filters from its query string; every bad one reported at once (the
    others still apply)."""
    found = Filters(actor=(args.get("actor") or "").strip()[:MAX_QUERY])
    action = (args.get("action") or "").strip()
    if action and action not in ACTIONS:
        found.errors["action"] = N_("未知的操作")
    else:
        found.action = action
    object_type = (args.get("object_type") or "").strip()
    if object_type and object_type not in OBJECTS:
        found.errors["object_type"] = N_("未知的对象类型")
    else:
        found.object_type = object_type
    raw_id = (args.get("object_id") or "").strip()
    if raw_id:
        if raw_id.isdigit() and 1 <= int(raw_id) <= INT_MAX:
            found.object_id = int(raw_id)
        else:
            found.errors["object_id"] = N_("编号应为正整数")
    for name in ("from", "to"):
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            found.errors[name] = N_("日期无效，应为 年-月-日")
            continue
        if not date_in_range(day):
            found.errors[name] = N_("日期超出范围")
            continue
        setattr(found, "day_from" if name == "from" else "day_to", day)
    if found.day_from and found.day_to and found.day_to < found.day_from:
        found.errors["to"] = N_("结束日期不能早于开始日期")
        found.day_to = None
    return found


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), local_zone())


def audit_stmt(viewer, filters: Filters):
    """The log rows matching ``filters``, newest first."""
    if not can_view_audit_log(viewer):
        raise NotAllowed()
    stmt = select(AuditLog).options(joinedload(AuditLog.actor)).order_by(AuditLog.id.desc())
    if filters.actor:
        actors = select(User.id).where(or_(User.name.contains(filters.actor, autoescape=True),
                                           User.phone.contains(filters.actor, autoescape=True)))
        stmt = stmt.where(AuditLog.actor_id.in_(actors))
    if filters.action:
        stmt = stmt.where(AuditLog.action == filters.action)
    if filters.object_type:
        stmt = stmt.where(AuditLog.object_type == filters.object_type)
    if filters.object_id is not None:
        stmt = stmt.where(AuditLog.object_id == filters.object_id)
    if filters.day_from:
        stmt = stmt.where(AuditLog.created_at >= _local_midnight(filters.day_from))
    if filters.day_to:
        stmt = stmt.where(AuditLog.created_at < _local_midnight(filters.day_to + timedelta(1)))
    return stmt


@dataclass
class Shown:
    """One object as the log names it: its kind, name and page (``endpoint``, ``args``)."""

    kind: str
    name: str
    endpoint: str | None = None
    args: dict = field(default_factory=dict)


def _name(table: str, obj) -> str:
    if table == "claims":
        return f"{obj.member.name if obj.member else ''} · {obj.task.title if obj.task else ''}"
    if table == "commendations":
        return f"{obj.member.name if obj.member else ''} · {period_label(obj.period)}"
    if table == "deletion_requests":
        return obj.member.name if obj.member else ""
    if table == "report_requests":
        return f"{report_label(obj.kind)} · {period_label(obj.period)}"
    if table == "service_requests":
        return f"{request_category(obj.category)} · {obj.tracking_code}"
    return getattr(obj, "title", None) or getattr(obj, "name", None) or ""


def _shown(table: str, obj) -> Shown:
    model, page = MODELS[table]
    endpoint, args = None, {}
    if table == "users":
        if obj.role == "member":
            endpoint, args = "members.detail", {"member_id": obj.id}
        elif obj.role != "district_admin":
            endpoint = "auth.staff"
    elif table == "claims":
        endpoint, args = "tasks.detail", {"task_id": obj.task_id}
    elif page is not None:
        endpoint, key = page
        if endpoint == "orgs.edit_object":
            args = {"kind": key, "obj_id": obj.id}
        elif key:
            args = {key: obj.id}
    return Shown(object_label(table), _name(table, obj), endpoint, args)


def _load(wanted: dict[str, set[int]]) -> dict[tuple[str, int], Shown]:
    found = {}
    for table, ids in wanted.items():
        if table not in MODELS or not ids:
            continue
        model = MODELS[table][0]
        for obj in db.session.scalars(select(model).where(model.id.in_(ids))):
            found[(table, obj.id)] = _shown(table, obj)
    return found


@dataclass
class Entry:
    row: AuditLog
    action: str
    target: Shown | None
    details: list = field(default_factory=list)  # (label, text, Shown or None)


def _value(action: str, key: str, value) -> str:
    if isinstance(value, bool):
        return N_("是") if value else N_("否")
    if isinstance(value, list | tuple):
        return f"{len(value)} 个"
    if key == "role":
        return ROLES.get(value, value)
    if key == "kind":
        if action == "create_wish":
            return HOUSEHOLD_KINDS.get(value, value)
        if action == "attach_wish_photo":
            return PHOTO_KINDS.get(value, value)
        if action == "request_report_run":
            return report_label(value)
    if key == "category" and action == "submit_request":
        return request_category(value)
    if key == "status" and action == "create_task":
        return TASK_STATES.get(value, value)
    if key == "state" and action == "release_wish":
        return WISH_STATUSES.get(value, value)
    if key == "period":
        return period_label(str(value))
    if key in ("minutes", "self_minutes") and isinstance(value, int | float):
        return f"{value}（{round(value / 60, 1)} 小时）"
    return str(value)


def _missing(row: AuditLog) -> Shown:
    """An object the log cannot name: deleted since, or of a kind without a name."""
    if row.object_id is None:
        return Shown(object_label(row.object_type), "")
    known = row.object_type in MODELS
    return Shown(object_label(row.object_type),
                 N_("已删除") if known else f"编号 {row.object_id}")


def describe(rows: list[AuditLog]) -> list[Entry]:
    """The rows as the page shows them: objects (and ids in the details) loaded by name in one
    statement per kind of object."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        if row.object_type and row.object_id is not None:
            wanted.setdefault(row.object_type, set()).add(row.object_id)
        for key, table in DETAIL_OBJECTS.items():
            value = (row.detail or {}).get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                wanted.setdefault(table, set()).add(value)
    names = _load(wanted)
    entries = []
    for row in rows:
        target = None
        if row.object_type:
            target = names.get((row.object_type, row.object_id)) or _missing(row)
        details = []
        for key, value in (row.detail or {}).items():
            if value is None or value == "" or value == []:
                continue
            if key == "name" and target is not None and target.name == value:
                continue  # the object's name already shows it
            linked = names.get((DETAIL_OBJECTS[key], value)) if key in DETAIL_OBJECTS else None
            text = linked.name if linked else _value(row.action, key, value)
            details.append((DETAILS.get(key, key), text, linked))
        entries.append(Entry(row, action_label(row.action), target, details))
    return entries


def action_choices() -> list[tuple[str, str]]:
    return sorted(ACTIONS.items(), key=lambda item: item[1])


def object_choices() -> list[tuple[str, str]]:
    return [(code, label) for code, label in OBJECTS.items() if code]
