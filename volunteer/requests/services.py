"""居民点单 → 网格接单 → 社区派单 → 党员接单: every step race-free, timestamped, audited."""

import re
import secrets
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import case, func, literal, or_, select, update

from volunteer.audit.services import record_action
from volunteer.auth.models import User
from volunteer.consents.services import check_consents, record_consents
from volunteer.core.errors import (
    InvalidState,
    NotAllowed,
    NotFound,
    TooManyAttempts,
    ValidationFailed,
)
from volunteer.core.search import contains_any, within_days
from volunteer.core.text import clean_text, required_reason, required_text
from volunteer.core.throttle import count_events, record_event
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.members.models import MemberSkill
from volunteer.notifications.services import notify
from volunteer.orgs.models import Community
from volunteer.requests.models import (
    CATEGORIES,
    PUBLIC_EVENTS,
    RequestEvent,
    ServiceRequest,
)
from volunteer.requests.permissions import (
    can_dispatch_request,
    can_handle_request,
    can_list_requests,
    can_rate_for_resident,
    can_view_request,
    is_assignee,
)
from volunteer.tasks import services as tasks
from volunteer.tasks.models import Task

NAME_MAX, ADDRESS_MAX, DESCRIPTION_MAX, NOTE_MAX, COMMENT_MAX = 30, 120, 1000, 1000, 500
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
SUBMIT_BUCKET, TRACK_BUCKET = "public_request", "request_track"
RECENT_DAYS = 30
OPEN_STATUSES = ("submitted", "accepted", "dispatched", "taken")


class RequestLimited(TooManyAttempts):
    message = "提交过于频繁，请稍后再试或直接联系社区"


class TrackLimited(TooManyAttempts):
    message = "查询失败次数过多，请稍后再试"


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def accept_hours() -> int:
    return _setting("REQUEST_ACCEPT_HOURS", 24)


def dispatch_hours() -> int:
    return _setting("REQUEST_DISPATCH_HOURS", 48)


# ---------------------------------------------------------------- text checks


def _clean_phone(errors: dict, value) -> str:
    phone = clean_text(errors, "phone", value, 20).replace(" ", "").replace("-", "")
    if "phone" not in errors and not MOBILE_RE.match(phone):
        errors["phone"] = "请填写 11 位手机号"
    return phone


# ---------------------------------------------------------------- 居民点单


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        taken = db.session.scalar(select(ServiceRequest.id).where(
            ServiceRequest.tracking_code == code))
        if taken is None:
            return code


def _staff_of(community_id: int, *roles: str) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.community_id == community_id, User.role.in_(roles), User.active.is_(True))))


def _event(req: ServiceRequest, action: str, actor=None, *, member_id=None, note=None,
           now: datetime) -> RequestEvent:
    row = RequestEvent(request_id=req.id, action=action, actor_id=getattr(actor, "id", None),
                       member_id=member_id, note=note, created_at=now)
    db.session.add(row)
    return row


def check_request(*, name, phone, community_id, category, description, address,
                  privacy_consent: bool = False, health_sensitive: bool = False,
                  sensitive_consent: bool = False) -> tuple:
    """A resident's request checked field by field, writing nothing: the clean name, phone,
    address, description and the community, or one ValidationFailed naming every bad field."""
    errors: dict[str, str] = {}
    name = clean_text(errors, "name", name, NAME_MAX)
    phone = _clean_phone(errors, phone)
    address = clean_text(errors, "address", address, ADDRESS_MAX)
    description = clean_text(errors, "description", description, DESCRIPTION_MAX)
    if category not in CATEGORIES:
        errors["category"] = "请选择服务类别"
    community = db.session.get(Community, community_id) \
        if isinstance(community_id, int) and not isinstance(community_id, bool) else None
    if community is None:
        errors["community_id"] = "请选择所在社区"
    check_consents(errors, privacy_consent=privacy_consent, health_sensitive=health_sensitive,
                   sensitive_consent=sensitive_consent)
    if errors:
        raise ValidationFailed(fields=errors)
    return name, phone, address, description, community


def submit_request(*, name, phone, community_id, category, description, address,
                   ip: str, website: str | None = None, privacy_consent: bool = False,
                   health_sensitive: bool = False, sensitive_consent: bool = False,
                   now: datetime | None = None) -> ServiceRequest:
    """居民点单: a resident's request from the public page; answers with its tracking code.

    The resident consents to the privacy notice, and separately to the processing of health
    information when the request carries it (个人敏感信息); both are recorded."""
    ip = (ip or "unknown")[:128]
    window = timedelta(minutes=_setting("REQUEST_LIMIT_WINDOW_MINUTES", 60))
    if count_events(SUBMIT_BUCKET, ip, window) >= _setting("REQUEST_LIMIT_PER_IP", 5):
        raise RequestLimited()
    if website:
        # the honeypot field is hidden from people; only a robot fills it in
        raise ValidationFailed("提交未通过校验，请刷新页面后重新填写")
    name, phone, address, description, community = check_request(
        name=name, phone=phone, community_id=community_id, category=category,
        description=description, address=address, privacy_consent=privacy_consent,
        health_sensitive=health_sensitive, sensitive_consent=sensitive_consent)
    now = now or utcnow()
    req = ServiceRequest(tracking_code=_new_code(), community_id=community.id,
                         street_id=community.street_id, name=name, phone=phone,
                         address=address, category=category, description=description,
                         health_sensitive=health_sensitive is True, status="submitted",
                         created_at=now)
    db.session.add(req)
    db.session.flush()
    record_consents(request=req, sensitive=req.health_sensitive, now=now)
    _event(req, "submitted", now=now)
    record_event(SUBMIT_BUCKET, ip)
    record_action(None, "submit_request", req, category=category)
    receivers = _staff_of(community.id, "grid_worker") or _staff_of(
        community.id, "community_secretary")
    for user in receivers:
        notify(user, "request_submitted", f"新的居民点单：{req.category_label}",
               description[:80], link=f"/requests/{req.id}")
    return req


# ---------------------------------------------------------------- moving a request


def _move(req: ServiceRequest, from_statuses: tuple, message: str, **values) -> None:
    """Change the row only if it is still in ``from_statuses``: two hands never both win."""
    result = db.session.execute(
        update(ServiceRequest)
        .where(ServiceRequest.id == req.id, ServiceRequest.status.in_(from_statuses))
        .values(**values).execution_options(synchronize_session=False))
    db.session.expire(req)
    if result.rowcount != 1:
        raise InvalidState(message)


def accept_request(actor, req: ServiceRequest, now: datetime | None = None) -> ServiceRequest:
    """网格接单: the grid worker (or the secretary) takes the request on."""
    if not can_handle_request(actor, req):
        raise NotAllowed()
    now = now or utcnow()
    grid_id = req.grid_id or (actor.grid_id if actor.role == "grid_worker" else None)
    _move(req, ("submitted",), "只有待接单的点单可以接单", status="accepted", accepted_at=now,
          accepted_by_id=actor.id, grid_id=grid_id)
    _event(req, "accepted", actor, now=now)
    record_action(actor, "accept_request", req)
    for secretary in _staff_of(req.community_id, "community_secretary"):
        if secretary.id != actor.id:
            notify(secretary, "request_accepted", f"网格已接单，请派单：{req.category_label}",
                   req.description[:80], link=f"/requests/{req.id}")
    return req


def reject_request(actor, req: ServiceRequest, reason: str,
                   now: datetime | None = None) -> ServiceRequest:
    """Turn a request down with a reason the resident reads when tracking."""
    if not can_handle_request(actor, req):
        raise NotAllowed()
    reason = required_reason(reason)
    now = now or utcnow()
    allowed = ("submitted", "accepted") if can_dispatch_request(actor, req) else ("submitted",)
    _move(req, allowed, "该点单当前不能退回", status="rejected", rejected_at=now,
          reject_reason=reason)
    _event(req, "rejected", actor, note=reason, now=now)
    record_action(actor, "reject_request", req, reason=reason)
    return req


def _dispatchable_member(req: ServiceRequest, member_id) -> User:
    member = db.session.get(User, member_id) \
        if isinstance(member_id, int) and not isinstance(member_id, bool) else None
    if (member is None or member.role != "member" or member.status != "approved"
            or not member.active or member.community_id != req.community_id):
        raise ValidationFailed("只能派给本社区已审核通过的党员",
                               fields={"member_id": "请选择本社区已审核通过的党员"})
    return member


def dispatch_request(actor, req: ServiceRequest, member_id: int,
                     now: datetime | None = None) -> ServiceRequest:
    """社区派单: the secretary sends an accepted request to a member."""
    if not can_dispatch_request(actor, req):
        raise NotAllowed("只有本社区书记可以派单")
    if req.status != "accepted":
        raise InvalidState("只有网格已接单的点单可以派单")
    member = _dispatchable_member(req, member_id)
    now = now or utcnow()
    _move(req, ("accepted",), "只有网格已接单的点单可以派单", status="dispatched",
          dispatched_at=now, dispatched_by_id=actor.id, assignee_id=member.id, taken_at=None)
    _event(req, "dispatched", actor, member_id=member.id, now=now)
    record_action(actor, "dispatch_request", req, member_id=member.id)
    notify(member, "request_dispatched", f"社区派单：{req.category_label}",
           f"{req.description[:80]}（请在“居民点单”中接单或婉拒）", link=f"/requests/{req.id}")
    return req


def take_request(member, req: ServiceRequest, now: datetime | None = None) -> ServiceRequest:
    """党员接单: the member the request was sent to takes it on."""
    if not is_assignee(member, req):
        raise NotAllowed("该点单没有派给您")
    now = now or utcnow()
    _move(req, ("dispatched",), "只有待接单的派单可以接单", status="taken", taken_at=now)
    _event(req, "taken", member, member_id=member.id, now=now)
    record_action(member, "take_request", req)
    if req.dispatched_by_id:
        notify(req.dispatched_by_id, "request_taken", f"{member.name} 已接单",
               req.description[:80], link=f"/requests/{req.id}")
    return req


def decline_request(member, req: ServiceRequest, reason: str,
                    now: datetime | None = None) -> ServiceRequest:
    """The member declines with a reason; the request goes back to the secretary."""
    if not is_assignee(member, req):
        raise NotAllowed("该点单没有派给您")
    reason = required_reason(reason)
    now = now or utcnow()
    _move(req, ("dispatched", "taken"), "该点单当前不能婉拒", status="accepted",
          assignee_id=None, dispatched_at=None, taken_at=None)
    _event(req, "declined", member, member_id=member.id, note=reason, now=now)
    record_action(member, "decline_request", req, reason=reason)
    for secretary in _staff_of(req.community_id, "community_secretary"):
        notify(secretary, "request_declined", f"{member.name} 婉拒了派单，请重新派单",
               f"原因：{reason}", link=f"/requests/{req.id}")
    return req


def complete_request(member, req: ServiceRequest, note: str,
                     now: datetime | None = None) -> ServiceRequest:
    """The member reports the service done, with a note."""
    if not is_assignee(member, req):
        raise NotAllowed("该点单没有派给您")
    note = required_text("note", note, NOTE_MAX)
    now = now or utcnow()
    _move(req, ("taken",), "接单后才能标记完成", status="completed", completed_at=now,
          completion_note=note)
    _event(req, "completed", member, member_id=member.id, now=now)
    record_action(member, "complete_request", req)
    for user_id in {req.accepted_by_id, req.dispatched_by_id} - {None}:
        notify(user_id, "request_completed", f"居民点单已完成：{req.category_label}",
               f"{member.name}：{note[:80]}（可代居民录入评价）", link=f"/requests/{req.id}")
    return req


def convert_request(actor, req: ServiceRequest, *, title: str, location: str,
                    starts_at: datetime, ends_at: datetime, slots: int = 1,
                    description: str | None = None, now: datetime | None = None):
    """Turn an accepted request into a community task (through the tasks feature)."""
    if not can_dispatch_request(actor, req):
        raise NotAllowed("只有本社区书记可以转为服务项目")
    if req.status != "accepted":
        raise InvalidState("只有网格已接单的点单可以转为服务项目")
    now = now or utcnow()
    _label, task_category, skills = CATEGORIES.get(req.category, CATEGORIES["other"])
    task = tasks.create_task(
        actor, publish=True, now=now, title=title, category=task_category,
        description=req.description if description is None else description,
        location=location, starts_at=starts_at, ends_at=ends_at, slots=slots,
        skills=list(skills), grid_id=req.grid_id)
    _move(req, ("accepted",), "只有网格已接单的点单可以转为服务项目", status="converted",
          converted_at=now, task_id=task.id, dispatched_by_id=actor.id)
    _event(req, "converted", actor, note=str(task.id), now=now)
    record_action(actor, "convert_request", req, task_id=task.id)
    return task


# ---------------------------------------------------------------- rating and tracking


def converted_task(req: ServiceRequest) -> Task | None:
    """The community task a request was turned into (its title, place and time are shown to
    the resident), or None."""
    if req.status != "converted" or not req.task_id:
        return None
    return db.session.get(Task, req.task_id)


def is_rateable(req: ServiceRequest, now: datetime | None = None) -> bool:
    """Completed (or its task is over) and not yet rated."""
    if req.rating is not None:
        return False
    if req.status == "completed":
        return True
    if req.status == "converted" and req.task_id:
        task = db.session.get(Task, req.task_id)
        return task is not None and task.ends_at <= (now or utcnow())
    return False


def rate_request(actor, req: ServiceRequest, rating: int, comment: str | None = None,
                 now: datetime | None = None) -> ServiceRequest:
    """The resident's rating 1–5 (``actor`` None), or a grid worker entering it for them."""
    if actor is not None and not can_rate_for_resident(actor, req):
        raise NotAllowed()
    errors: dict[str, str] = {}
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        errors["rating"] = "评分应为 1 到 5"
    comment = clean_text(errors, "comment", comment, COMMENT_MAX, required=False) or None
    if errors:
        raise ValidationFailed(fields=errors)
    now = now or utcnow()
    if not is_rateable(req, now):
        raise InvalidState("服务完成后才能评价，且每个点单只能评价一次")
    result = db.session.execute(
        update(ServiceRequest)
        .where(ServiceRequest.id == req.id, ServiceRequest.rating.is_(None))
        .values(rating=rating, rating_comment=comment, rated_at=now,
                rated_by_id=getattr(actor, "id", None))
        .execution_options(synchronize_session=False))
    db.session.expire(req)
    if result.rowcount != 1:
        raise InvalidState("该点单已评价")
    _event(req, "rated", actor, note=str(rating), now=now)
    record_action(actor, "rate_request", req, rating=rating, by_resident=actor is None)
    if req.assignee_id:
        notify(req.assignee_id, "request_rated", f"居民评价：{rating} 分",
               comment or "", link=f"/requests/{req.id}")
    return req


def track_request(code, phone, ip: str) -> ServiceRequest:
    """The resident's view: the code and the phone given must match; failures are counted."""
    ip = (ip or "unknown")[:128]
    window = timedelta(minutes=_setting("TRACK_FAILURE_WINDOW_MINUTES", 15))
    if count_events(TRACK_BUCKET, ip, window) >= _setting("TRACK_MAX_FAILURES_PER_IP", 20):
        raise TrackLimited()
    code = (code or "").strip().upper() if isinstance(code, str) else ""
    phone = (phone or "").strip() if isinstance(phone, str) else ""
    req = None
    if code and phone and len(code) <= 12:
        req = db.session.scalar(select(ServiceRequest).where(
            ServiceRequest.tracking_code == code))
    # bytes: compare_digest raises TypeError on a str that is not ASCII
    if req is None or not secrets.compare_digest(req.phone.encode(), phone.encode()):
        record_event(TRACK_BUCKET, ip)
        raise NotFound("查询码或手机号不正确")
    return req


def public_steps(req: ServiceRequest) -> list[RequestEvent]:
    """The steps a resident sees (a member's decline stays internal)."""
    return [e for e in req.events if e.action in PUBLIC_EVENTS]


# ---------------------------------------------------------------- reading


def get_request(viewer, request_id: int) -> ServiceRequest:
    req = db.session.get(ServiceRequest, request_id)
    if req is None:
        raise NotFound("找不到该点单")
    if not can_view_request(viewer, req):
        raise NotAllowed()
    return req


def overdue_clause(now: datetime):
    """Not accepted within 24 h of submission, or not dispatched within 48 h."""
    return or_(
        (ServiceRequest.status == "submitted")
        & (ServiceRequest.created_at < now - timedelta(hours=accept_hours())),
        (ServiceRequest.status == "accepted")
        & (ServiceRequest.created_at < now - timedelta(hours=dispatch_hours())),
    )


def overdue_of(req: ServiceRequest, now: datetime | None = None) -> str | None:
    """``accept`` or ``dispatch`` when that step is late, else None."""
    now = now or utcnow()
    if req.status == "submitted" and req.created_at < now - timedelta(hours=accept_hours()):
        return "accept"
    if req.status == "accepted" and req.created_at < now - timedelta(hours=dispatch_hours()):
        return "dispatch"
    return None


def list_requests_stmt(viewer, *, status: str | None = None, overdue: bool = False,
                       now: datetime | None = None, q: str | None = None,
                       category: str | None = None, grid_id: int | None = None,
                       date_from: date | None = None, date_to: date | None = None):
    """Requests ``viewer`` may list: staff their community, a member those sent to them.

    ``q`` searches the description (staff: also the resident's name, address, tracking code);
    ``category``, ``grid_id``; ``date_from``/``date_to`` the local day it was sent."""
    if not can_list_requests(viewer):
        raise NotAllowed()
    stmt = select(ServiceRequest)
    if viewer.role == "member":
        stmt = stmt.where(ServiceRequest.assignee_id == viewer.id)
    elif viewer.role in ("community_secretary", "grid_worker"):
        stmt = stmt.where(ServiceRequest.community_id == viewer.community_id)
    elif viewer.role == "street_reviewer":
        stmt = stmt.where(ServiceRequest.street_id == viewer.street_id)
    if status == "open":
        stmt = stmt.where(ServiceRequest.status.in_(OPEN_STATUSES))
    elif status:
        stmt = stmt.where(ServiceRequest.status == status)
    if overdue:
        stmt = stmt.where(overdue_clause(now or utcnow()))
    columns = (ServiceRequest.description,) if viewer.role == "member" else (
        ServiceRequest.description, ServiceRequest.name, ServiceRequest.address,
        ServiceRequest.tracking_code)
    search = contains_any(q, *columns)
    if search is not None:
        stmt = stmt.where(search)
    if category:
        stmt = stmt.where(ServiceRequest.category == category)
    if grid_id:
        stmt = stmt.where(ServiceRequest.grid_id == grid_id)
    stmt = stmt.where(*within_days(ServiceRequest.created_at, date_from, date_to))
    return stmt.order_by(ServiceRequest.id.desc())


def count_overdue(viewer, now: datetime | None = None) -> int:
    if viewer.role not in ("community_secretary", "grid_worker"):
        return 0
    return db.session.scalar(select(func.count()).select_from(ServiceRequest).where(
        ServiceRequest.community_id == viewer.community_id,
        overdue_clause(now or utcnow()))) or 0


def suggest_members(actor, req: ServiceRequest, *, q: str | None = None, limit: int = 10,
                    now: datetime | None = None) -> list[dict]:
    """Members to dispatch to: matching skills first, then the same grid, then those asked
    least in the last 30 days (so the same people are not always asked)."""
    if not can_dispatch_request(actor, req):
        raise NotAllowed()
    now = now or utcnow()
    skills = CATEGORIES.get(req.category, CATEGORIES["other"])[2]
    matches = (select(func.count()).select_from(MemberSkill)
               .where(MemberSkill.user_id == User.id, MemberSkill.tag.in_(skills))
               .correlate(User).scalar_subquery()) if skills else literal(0)
    recent = (select(func.count()).select_from(RequestEvent)
              .where(RequestEvent.member_id == User.id, RequestEvent.action == "dispatched",
                     RequestEvent.created_at >= now - timedelta(days=RECENT_DAYS))
              .correlate(User).scalar_subquery())
    same_grid = case((User.grid_id == req.grid_id, 1), else_=0) if req.grid_id else literal(0)
    declined = select(RequestEvent.member_id).where(
        RequestEvent.request_id == req.id, RequestEvent.action == "declined",
        RequestEvent.member_id.isnot(None))
    stmt = (select(User, matches.label("matches"), same_grid.label("same_grid"),
                   recent.label("recent"))
            .where(User.role == "member", User.status == "approved", User.active.is_(True),
                   User.community_id == req.community_id, User.id.not_in(declined))
            .order_by(matches.desc(), same_grid.desc(), recent.asc(), User.id)
            .limit(limit))
    if q:
        stmt = stmt.where(or_(User.name.contains(q.strip()), User.phone == q.strip()))
    return [{"member": row[0], "matches": int(row[1] or 0), "same_grid": bool(row[2]),
             "recent": int(row[3] or 0)} for row in db.session.execute(stmt)]
