"""Client API: 居民点单 (public), tracking and rating (public), and the staff and member steps."""

from flask import jsonify, request
from flask_login import current_user
from pydantic import AwareDatetime, BaseModel, Field

from volunteer.auth.permissions import mask_phone
from volunteer.core.api import api_blueprint, doc, paginated, parse_body
from volunteer.core.decorators import login_required, roles_required
from volunteer.core.errors import NotFound, ValidationFailed
from volunteer.core.text import REASON_MAX
from volunteer.core.time import isoformat, utcnow
from volunteer.extensions import db
from volunteer.requests import services
from volunteer.requests.models import STATUSES
from volunteer.requests.permissions import can_see_resident
from volunteer.tasks.services import DESCRIPTION_MAX, LOCATION_MAX, TITLE_MAX
from volunteer.wishes.models import anonymise_name

bp = api_blueprint("requests_api", __name__)


class RequestIn(BaseModel):
    name: str = Field(max_length=services.NAME_MAX)
    phone: str = Field(max_length=20)
    community_id: int
    category: str = Field(max_length=20)
    description: str = Field(max_length=services.DESCRIPTION_MAX)
    address: str = Field(max_length=services.ADDRESS_MAX)
    website: str | None = Field(default=None, max_length=200)
    privacy_consent: bool = Field(description="同意《个人信息保护说明》（/privacy），须为 true")
    health_sensitive: bool = Field(default=False, description="点单涉及健康状况等敏感个人信息")
    sensitive_consent: bool = Field(
        default=False, description="单独同意处理敏感个人信息；health_sensitive 为 true 时须为 true")


class RateIn(BaseModel):
    rating: int
    comment: str | None = Field(default=None, max_length=services.COMMENT_MAX)


class TrackRateIn(RateIn):
    code: str = Field(max_length=12)
    phone: str = Field(max_length=20)


class ReasonIn(BaseModel):
    reason: str = Field(max_length=REASON_MAX)


class NoteIn(BaseModel):
    note: str = Field(max_length=services.NOTE_MAX)


class DispatchIn(BaseModel):
    member_id: int


class ConvertIn(BaseModel):
    title: str = Field(max_length=TITLE_MAX)
    location: str = Field(max_length=LOCATION_MAX)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    slots: int = 1
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)


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
     errors=(413, 429))
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
     query={"code": "string", "phone": "string"}, errors=(404, 429))
def track():
    req = _tracked(request.args.get("code"), request.args.get("phone"))
    return jsonify(serialise_tracking(req))


@bp.post("/requests/track/rate")
@doc("居民评价（无需登录，凭查询码和手机号）", body=TrackRateIn, auth=False,
     errors=(404, 409, 429))
def track_rate():
    data = parse_body(TrackRateIn)
    req = _tracked(data.code, data.phone)
    req = services.rate_request(None, req, data.rating, data.comment)
    db.session.commit()
    return jsonify(serialise_tracking(req))


@bp.get("/requests")
@doc("点单列表：工作人员看本社区，党员看派给本人的；status=open 看进行中，overdue=1 看超时",
     query={"status": "string", "overdue": "boolean", "page": "integer", "per_page": "integer"},
     errors=(403,))
@login_required
def list_requests():
    status = request.args.get("status")
    if status and status not in STATUSES and status != "open":
        raise ValidationFailed(fields={"status": "取值无效"})
    stmt = services.list_requests_stmt(current_user, status=status,
                                       overdue=request.args.get("overdue") in ("1", "true"))
    now = utcnow()
    return paginated(stmt, lambda req: serialise_request(req, current_user, now))


@bp.get("/requests/<int:request_id>")
@doc("点单详情", errors=(403, 404))
@login_required
def detail(request_id: int):
    return jsonify(serialise_request(services.get_request(current_user, request_id),
                                     current_user))


@bp.get("/requests/<int:request_id>/suggestions")
@doc("派单推荐：专长匹配、同网格、近期派单少者优先（社区书记）", errors=(403, 404))
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
@doc("网格接单（网格员或社区书记）", errors=(403, 404, 409))
@roles_required("grid_worker", "community_secretary")
def accept(request_id: int):
    return _step(request_id, services.accept_request)


@bp.post("/requests/<int:request_id>/reject")
@doc("不予受理（须填写原因，居民查询时可见）", body=ReasonIn, errors=(403, 404, 409))
@roles_required("grid_worker", "community_secretary")
def reject(request_id: int):
    return _step(request_id, services.reject_request, parse_body(ReasonIn).reason)


@bp.post("/requests/<int:request_id>/dispatch")
@doc("社区派单给党员（社区书记）", body=DispatchIn, errors=(403, 404, 409))
@roles_required("community_secretary")
def dispatch(request_id: int):
    return _step(request_id, services.dispatch_request, parse_body(DispatchIn).member_id)


@bp.post("/requests/<int:request_id>/convert")
@doc("转为社区服务项目（社区书记）", body=ConvertIn, status=201, errors=(403, 404, 409))
@roles_required("community_secretary")
def convert(request_id: int):
    req = services.get_request(current_user, request_id)
    data = parse_body(ConvertIn)
    task = services.convert_request(current_user, req, **data.model_dump())
    db.session.commit()
    return jsonify({"request": serialise_request(req, current_user), "task_id": task.id}), 201


@bp.post("/requests/<int:request_id>/take")
@doc("党员接单", errors=(403, 404, 409))
@roles_required("member")
def take(request_id: int):
    return _step(request_id, services.take_request)


@bp.post("/requests/<int:request_id>/decline")
@doc("党员婉拒（须填写原因，退回社区重新派单）", body=ReasonIn, errors=(403, 404, 409))
@roles_required("member")
def decline(request_id: int):
    return _step(request_id, services.decline_request, parse_body(ReasonIn).reason)


@bp.post("/requests/<int:request_id>/complete")
@doc("党员完成服务（须填写说明）", body=NoteIn, errors=(403, 404, 409))
@roles_required("member")
def complete(request_id: int):
    return _step(request_id, services.complete_request, parse_body(NoteIn).note)


@bp.post("/requests/<int:request_id>/rate")
@doc("代居民录入评价（网格员或社区书记）", body=RateIn, errors=(403, 404, 409))
@roles_required("grid_worker", "community_secretary")
def rate(request_id: int):
    data = parse_body(RateIn)
    return _step(request_id, services.rate_request, data.rating, data.comment)
