"""Client API: 居民点单 (public), tracking and rating (public), and the staff and member steps."""

from flask import jsonify, request
from flask_login import current_user
from pydantic import Field

from volunteer.auth.permissions import mask_phone
from volunteer.core.api import (
    SEARCH_QUERY,
    ApiModel,
    Id,
    Int,
    Moment,
    Out,
    Required,
    Timestamp,
    api_blueprint,
    doc,
    one_of,
    page_of,
    paginated,
    parse_body,
    query_filters,
)
from volunteer.core.decorators import login_required, roles_required
from volunteer.core.errors import NotFound, ValidationFailed
from volunteer.core.text import REASON_MAX
from volunteer.core.time import isoformat, utcnow
from volunteer.extensions import db
from volunteer.requests import services
from volunteer.requests.models import CATEGORIES, EVENTS, STATUSES
from volunteer.requests.permissions import can_see_resident
from volunteer.requests.services import MOBILE_RE
from volunteer.tasks.services import DESCRIPTION_MAX, LOCATION_MAX, TITLE_MAX
from volunteer.wishes.models import anonymise_name

bp = api_blueprint("requests_api", __name__)


class RequestIn(ApiModel):
    name: str = Required(services.NAME_MAX)
    phone: str = Required(20, pattern=MOBILE_RE.pattern)
    community_id: Id
    category: str = Required(20, CATEGORIES)
    description: str = Required(services.DESCRIPTION_MAX)
    address: str = Required(services.ADDRESS_MAX)
    # a trap for robots: a person leaves it empty, and anything in it is refused
    website: str | None = Field(default=None, max_length=200, json_schema_extra={"maxLength": 0})
    privacy_consent: bool = Field(description="同意《个人信息保护说明》（/privacy），须为 true")
    health_sensitive: bool = Field(default=False, description="点单涉及健康状况等敏感个人信息")
    sensitive_consent: bool = Field(
        default=False, description="单独同意处理敏感个人信息；health_sensitive 为 true 时须为 true")


class RateIn(ApiModel):
    rating: Int
    comment: str | None = Field(default=None, max_length=services.COMMENT_MAX)


class TrackRateIn(RateIn):
    code: str = Required(12)
    phone: str = Required(20)


class ReasonIn(ApiModel):
    reason: str = Required(REASON_MAX)


class NoteIn(ApiModel):
    note: str = Required(services.NOTE_MAX)


class DispatchIn(ApiModel):
    member_id: Id


class ConvertIn(ApiModel):
    title: str = Required(TITLE_MAX)
    location: str = Required(LOCATION_MAX)
    starts_at: Moment
    ends_at: Moment
    slots: Int = 1
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)


class NamedOut(Out):
    id: int
    name: str


class StepOut(Out):
    action: one_of(EVENTS)
    label: str
    at: Timestamp


class StaffStepOut(StepOut):
    note: str | None


class SubmittedOut(Out):
    tracking_code: str
    id: int


class TrackingOut(Out):
    id: int
    tracking_code: str
    status: one_of(STATUSES)
    status_label: str
    category: one_of(CATEGORIES)
    category_label: str
    community_name: str
    description: str
    created_at: Timestamp
    reject_reason: str | None
    member: str | None
    task_id: int | None
    steps: list[StepOut]
    rating: int | None
    rating_comment: str | None
    rated_at: Timestamp | None
    can_rate: bool


class ResidentOut(Out):
    name: str
    phone: str
    address: str | None


class RequestOut(Out):
    id: int
    status: one_of(STATUSES)
    status_label: str
    category: one_of(CATEGORIES)
    category_label: str
    community_id: int
    community_name: str
    grid: NamedOut | None
    description: str
    health_sensitive: bool
    created_at: Timestamp
    accepted_at: Timestamp | None
    dispatched_at: Timestamp | None
    taken_at: Timestamp | None
    completed_at: Timestamp | None
    reject_reason: str | None
    completion_note: str | None
    assignee: NamedOut | None
    task_id: int | None
    rating: int | None
    rating_comment: str | None
    overdue: one_of(("accept", "dispatch")) | None
    resident: ResidentOut
    tracking_code: str | None = None
    steps: list[StaffStepOut] | None = None


class SuggestedMemberOut(Out):
    id: int
    name: str
    skills: list[str]
    grid: str | None


class SuggestionOut(Out):
    member: SuggestedMemberOut
    matches: int
    same_grid: bool
    recent: int


class SuggestionsOut(Out):
    items: list[SuggestionOut]


class ConvertedOut(Out):
    request: RequestOut
    task_id: int


def _client_ip() -> str:
    return request.remote_addr or "unknown"


def serialise_steps(events) -> list[dict]:
    return [{"action": e.action, "label": e.label, "at": isoformat(e.created_at)}
            for e in events]


def serialise_tracking(req) -> dict:
    """What the resident sees with code and phone: status and the time of every step."""
    assignee = req.assignee
    return {
        "id": req.id, "tracking_code": req.tracking_code, "status": req.status,
        "status_label": req.status_label, "category": req.category,
        "category_label": req.category_label, "community_name": req.community.name,
        "description": req.description, "created_at": isoformat(req.created_at),
        "reject_reason": req.reject_reason,
        "member": anonymise_name(assignee.name) if assignee and req.status in (
            "dispatched", "taken", "completed") else None,
        "task_id": req.task_id, "steps": serialise_steps(services.public_steps(req)),
        "rating": req.rating, "rating_comment": req.rating_comment,
        "rated_at": isoformat(req.rated_at), "can_rate": services.is_rateable(req),
    }


def serialise_request(req, viewer, now=None) -> dict:
    """A request for staff and the assignee; the resident's details only where allowed."""
    now = now or utcnow()
    body = {
        "id": req.id, "status": req.status, "status_label": req.status_label,
        "category": req.category, "category_label": req.category_label,
        "community_id": req.community_id, "community_name": req.community.name,
        "grid": {"id": req.grid.id, "name": req.grid.name} if req.grid else None,
        "description": req.description, "health_sensitive": req.health_sensitive,
        "created_at": isoformat(req.created_at), "accepted_at": isoformat(req.accepted_at),
        "dispatched_at": isoformat(req.dispatched_at),
        "taken_at": isoformat(req.taken_at), "completed_at": isoformat(req.completed_at),
        "reject_reason": req.reject_reason, "completion_note": req.completion_note,
        "assignee": {"id": req.assignee.id, "name": req.assignee.name} if req.assignee else None,
        "task_id": req.task_id, "rating": req.rating, "rating_comment": req.rating_comment,
        "overdue": services.overdue_of(req, now),
    }
    if can_see_resident(viewer, req):
        body["resident"] = {"name": req.name, "phone": req.phone, "address": req.address}
        body["tracking_code"] = req.tracking_code
        body["steps"] = [{**step, "note": e.note if e.action != "rated" else None}
                         for step, e in zip(serialise_steps(req.events), req.events,
                                            strict=True)]
    else:
        body["resident"] = {"name": anonymise_name(req.name), "phone": mask_phone(req.phone),
                            "address": None}
    return body


@bp.post("/requests")
@doc("居民点单（无需登录）：返回查询码", body=RequestIn, auth=False, status=201,
     errors=(404, 413, 429), response=SubmittedOut)
def submit():
    data = parse_body(RequestIn)
    req = services.submit_request(ip=_client_ip(), **data.model_dump())
    db.session.commit()
    return jsonify({"tracking_code": req.tracking_code, "id": req.id}), 201


def _tracked(code, phone):
    try:
        return services.track_request(code, phone, _client_ip())
    except NotFound:
        db.session.commit()  # keep the counted failure for the throttle
        raise


@bp.get("/requests/track")
@doc("查询点单进度（无需登录，手机号须与点单一致）", auth=False,
     query={"code": {"type": "string", "minLength": 1},
            "phone": {"type": "string", "minLength": 1}},
     errors=(404, 429), response=TrackingOut)
def track():
    req = _tracked(request.args.get("code"), request.args.get("phone"))
    return jsonify(serialise_tracking(req))


@bp.post("/requests/track/rate")
@doc("居民评价（无需登录，凭查询码和手机号）", body=TrackRateIn, auth=False,
     errors=(404, 409, 429), response=TrackingOut)
def track_rate():
    data = parse_body(TrackRateIn)
    req = _tracked(data.code, data.phone)
    req = services.rate_request(None, req, data.rating, data.comment)
    db.session.commit()
    return jsonify(serialise_tracking(req))


@bp.get("/requests")
@doc("点单列表：工作人员看本社区，党员看派给本人的；status=open 看进行中，overdue=1 看超时；"
     "q 搜索内容（工作人员还搜居民、地址、查询码），category、grid_id，date_from/date_to 提交日期",
     query={"status": {"type": "string", "enum": [*STATUSES, "open"]}, "overdue": "boolean",
            "category": {"type": "string", "enum": list(CATEGORIES)}, **SEARCH_QUERY,
            "page": "integer", "per_page": "integer"},
     errors=(400, 403), response=page_of(RequestOut))
@login_required
def list_requests():
    status = request.args.get("status")
    if status and status not in STATUSES and status != "open":
        raise ValidationFailed(fields={"status": "取值无效"})
    stmt = services.list_requests_stmt(current_user, status=status,
                                       overdue=request.args.get("overdue") in ("1", "true"),
                                       **query_filters(category=CATEGORIES))
    now = utcnow()
    return paginated(stmt, lambda req: serialise_request(req, current_user, now))


@bp.get("/requests/<int:request_id>")
@doc("点单详情", errors=(403, 404), response=RequestOut)
@login_required
def detail(request_id: int):
    return jsonify(serialise_request(services.get_request(current_user, request_id),
                                     current_user))


@bp.get("/requests/<int:request_id>/suggestions")
@doc("派单推荐：专长匹配、同网格、近期派单少者优先（社区书记）", errors=(403, 404),
     response=SuggestionsOut)
@roles_required("community_secretary")
def suggestions(request_id: int):
    req = services.get_request(current_user, request_id)
    rows = services.suggest_members(current_user, req, q=request.args.get("q"))
    return jsonify({"items": [
        {"member": {"id": r["member"].id, "name": r["member"].name,
                    "skills": r["member"].skill_tags,
                    "grid": r["member"].grid.name if r["member"].grid else None},
         "matches": r["matches"], "same_grid": r["same_grid"], "recent": r["recent"]}
        for r in rows]})


def _step(request_id: int, action, *args):
    req = services.get_request(current_user, request_id)
    req = action(current_user, req, *args)
    db.session.commit()
    return jsonify(serialise_request(req, current_user))


@bp.post("/requests/<int:request_id>/accept")
@doc("网格接单（网格员或社区书记）", errors=(403, 404, 409), response=RequestOut)
@roles_required("grid_worker", "community_secretary")
def accept(request_id: int):
    return _step(request_id, services.accept_request)


@bp.post("/requests/<int:request_id>/reject")
@doc("不予受理（须填写原因，居民查询时可见）", body=ReasonIn, errors=(403, 404, 409),
     response=RequestOut)
@roles_required("grid_worker", "community_secretary")
def reject(request_id: int):
    return _step(request_id, services.reject_request, parse_body(ReasonIn).reason)


@bp.post("/requests/<int:request_id>/dispatch")
@doc("社区派单给党员（社区书记）", body=DispatchIn, errors=(403, 404, 409), response=RequestOut)
@roles_required("community_secretary")
def dispatch(request_id: int):
    return _step(request_id, services.dispatch_request, parse_body(DispatchIn).member_id)


@bp.post("/requests/<int:request_id>/convert")
@doc("转为社区服务项目（社区书记）", body=ConvertIn, status=201, errors=(403, 404, 409),
     response=ConvertedOut)
@roles_required("community_secretary")
def convert(request_id: int):
    req = services.get_request(current_user, request_id)
    data = parse_body(ConvertIn)
    task = services.convert_request(current_user, req, **data.model_dump())
    db.session.commit()
    return jsonify({"request": serialise_request(req, current_user), "task_id": task.id}), 201


@bp.post("/requests/<int:request_id>/take")
@doc("党员接单", errors=(403, 404, 409), response=RequestOut)
@roles_required("member")
def take(request_id: int):
    return _step(request_id, services.take_request)


@bp.post("/requests/<int:request_id>/decline")
@doc("党员婉拒（须填写原因，退回社区重新派单）", body=ReasonIn, errors=(403, 404, 409),
     response=RequestOut)
@roles_required("member")
def decline(request_id: int):
    return _step(request_id, services.decline_request, parse_body(ReasonIn).reason)


@bp.post("/requests/<int:request_id>/complete")
@doc("党员完成服务（须填写说明）", body=NoteIn, errors=(403, 404, 409), response=RequestOut)
@roles_required("member")
def complete(request_id: int):
    return _step(request_id, services.complete_request, parse_body(NoteIn).note)


@bp.post("/requests/<int:request_id>/rate")
@doc("代居民录入评价（网格员或社区书记）", body=RateIn, errors=(403, 404, 409), response=RequestOut)
@roles_required("grid_worker", "community_secretary")
def rate(request_id: int):
    data = parse_body(RateIn)
    return _step(request_id, services.rate_request, data.rating, data.comment)
