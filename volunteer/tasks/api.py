"""Client API: tasks, claims, the waitlist, check-in/out, confirmation, my service."""

from datetime import time

from flask import jsonify, request, url_for
from flask_login import current_user
from pydantic import Field

from volunteer.auth.permissions import shown_phone
from volunteer.core.api import (
    SEARCH_QUERY,
    ApiModel,
    Day,
    Id,
    Int,
    Moment,
    Number,
    Required,
    api_blueprint,
    doc,
    page_args,
    page_of,
    paginated,
    parse_body,
    query_date,
    query_filters,
    query_int,
)
from volunteer.core.decorators import login_required, roles_required
from volunteer.core.errors import ValidationFailed
from volunteer.core.skills import MAX_TAGS
from volunteer.core.text import REASON_MAX
from volunteer.core.time import isoformat, utcnow
from volunteer.extensions import db
from volunteer.tasks import services
from volunteer.tasks.models import (
    CATEGORIES,
    STATES,
    TEMPLATES,
    VISIBILITIES,
)
from volunteer.tasks.schemas import (
    ClaimOut,
    ConfirmedOut,
    QrTokenOut,
    RosterOut,
    SeriesCancelledOut,
    SeriesChangedOut,
    SeriesOut,
    SeriesTasksOut,
    TaskOut,
    TemplatesOut,
    TotalsOut,
    WaitlistEntryOut,
    WaitlistOut,
)
from volunteer.tasks.services import COMMENT_MAX, DESCRIPTION_MAX, LOCATION_MAX, TITLE_MAX
from volunteer.tasks.services.rush import refusals_first as _refusals_first

bp = api_blueprint("tasks_api", __name__)

SERIES_KEY_SCHEMA = {"type": "string", "pattern": "^[0-9a-f]{1,32}$"}
LIST_QUERY = {**SEARCH_QUERY, "category": {"type": "string", "enum": list(CATEGORIES)},
              "date": {"type": "string", "format": "date"}, "community_id": "integer",
              "skills": "boolean", "state": {"type": "string", "enum": list(STATES)},
              "pending": "boolean", "series": SERIES_KEY_SCHEMA, "grouped": "boolean",
              "page": "integer", "per_page": "integer"}


class TaskFields(ApiModel):
    title: str = Required(TITLE_MAX)
    category: str = Required(30, CATEGORIES)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    location: str = Required(LOCATION_MAX)
    slots: Int
    skills: list[str] | None = Field(default=None, max_length=20,
                                     json_schema_extra={"maxItems": MAX_TAGS})
    grid_id: Id | None = None
    visibility: str = Required(20, VISIBILITIES, default="community")


class TaskIn(TaskFields):
    starts_at: Moment
    ends_at: Moment
    publish: bool = True


class TaskEditIn(TaskFields):
    starts_at: Moment
    ends_at: Moment


class ShiftIn(ApiModel):
    start: time
    end: time


class SeriesIn(TaskFields):
    first_date: Day
    days: Int
    shifts: list[ShiftIn] = Field(max_length=10)
    publish: bool = True


class SeriesEditIn(ApiModel):
    title: str | None = Field(default=None, max_length=TITLE_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    location: str | None = Field(default=None, max_length=LOCATION_MAX)
    slots: Int | None = None


class ConfirmAllIn(ApiModel):
    quality: Int


class ReasonIn(ApiModel):
    reason: str = Required(REASON_MAX)


class CheckInIn(ApiModel):
    token: str | None = Field(default=None, max_length=200)


class ConfirmIn(ApiModel):
    quality: Int
    hours: Number | None = None
    reason: str | None = Field(default=None, max_length=REASON_MAX)


class SatisfactionIn(ApiModel):
    satisfaction: Int
    comment: str | None = Field(default=None, max_length=COMMENT_MAX)


def serialise_task(task, viewer, *, now=None, claim=None, detail: bool = False) -> dict:
    """A task as the API shows it; ``claim`` is the viewer's own live claim, if any."""
    now = now or utcnow()
    state = task.state_at(now)
    body = {
        "id": task.id, "title": task.title, "category": task.category,
        "category_label": task.category_label, "description": task.description,
        "location": task.location, "community_id": task.community_id,
        "community_name": task.community.name, "street_id": task.street_id,
        "grid_id": task.grid_id, "starts_at": isoformat(task.starts_at),
        "ends_at": isoformat(task.ends_at), "slots": task.slots, "slots_taken": task.slots_taken,
        "slots_left": task.slots_left, "skills": task.skill_tags, "visibility": task.visibility,
        "status": task.status, "state": state, "state_label": STATES[state],
        "claimable": state == "open", "series_key": task.series_key,
        "cancel_reason": task.cancel_reason,
    }
    if viewer.is_member:
        body["my_claim"] = serialise_claim(claim) if claim else None
        if detail:
            body["waitlist_position"] = services.waitlist_position(viewer, task)
    return body


def serialise_claim(claim, viewer=None, *, with_task: bool = False,
                    with_member: bool = False) -> dict:
    """A claim with its check-in, hours and ratings."""
    body = {
        "id": claim.id, "task_id": claim.task_id, "member_id": claim.member_id,
        "status": claim.status, "created_at": isoformat(claim.created_at),
        "ended_at": isoformat(claim.ended_at), "end_reason": claim.end_reason,
        "checked_in_at": isoformat(claim.checked_in_at), "check_in_method": claim.check_in_method,
        "checked_out_at": isoformat(claim.checked_out_at), "self_hours": claim.self_hours,
        "confirmed_at": isoformat(claim.confirmed_at), "confirmed_hours": claim.confirmed_hours,
        "adjusted": claim.adjusted, "adjust_reason": claim.adjust_reason,
        "quality": claim.quality, "no_show": claim.no_show, "outcome": claim.outcome,
        "satisfaction": claim.satisfaction, "satisfaction_comment": claim.satisfaction_comment,
    }
    if with_member:
        member = claim.member
        body["member"] = {"id": member.id, "name": member.name,
                          "phone": shown_phone(viewer, member), "skills": member.skill_tags,
                          "unit": member.unit.name if member.unit else None}
        body["checkout_forgotten"] = claim.checkout_forgotten(utcnow(), services.check_out_late())
    if with_task:
        task = claim.task
        body["task"] = {"id": task.id, "title": task.title, "category": task.category,
                        "category_label": task.category_label, "location": task.location,
                        "starts_at": isoformat(task.starts_at), "ends_at": isoformat(task.ends_at),
                        "state": task.state_at(utcnow()), "community_name": task.community.name}
    return body


def _task(task_id: int):
    return services.get_task(current_user, task_id)


def _flag(name: str) -> bool:
    raw = request.args.get(name)
    if raw not in (None, "", "0", "1", "true", "false"):
        raise ValidationFailed(fields={name: "应为 true 或 false"})
    return raw in ("1", "true")


def _list_filters() -> dict:
    """The task list's filters from the query string; a bad one is a 400 naming it."""
    filters = {**query_filters(category=CATEGORIES, state=STATES),
               "series": request.args.get("series") or None}
    if filters["series"] and not services.series.SERIES_KEY.fullmatch(filters["series"]):
        raise ValidationFailed(fields={"series": "重复排班编号无效"})
    filters.update(on_date=query_date("date"), community_id=query_int("community_id"),
                   matching_skills=_flag("skills"), pending=_flag("pending"))
    return filters


@bp.get("/tasks")
@doc("服务项目列表（按开始时间，未结束的在前）：党员看可认领的（本社区优先），工作人员看管辖范围内"
     "的；q 搜索名称和地点，pending 只看有待确认时长的，grouped 把重复排班合为一行",
     query=LIST_QUERY, errors=(400, 403), response=page_of(TaskOut))
@login_required
def list_tasks():
    now = utcnow()
    stmt = services.list_tasks_stmt(current_user, now=now, grouped=_flag("grouped"),
                                    **_list_filters())
    page, per_page = page_args()
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    mine = (services.live_claims_of(current_user, [t.id for t in result.items])
            if current_user.is_member else {})
    return jsonify({"items": [serialise_task(t, current_user, now=now, claim=mine.get(t.id))
                              for t in result.items],
                    "page": page, "per_page": per_page, "total": result.total})


@bp.post("/tasks")
@doc("发布服务项目（社区书记；publish=false 存为草稿）", body=TaskIn, status=201,
     errors=(403, 404, 409), response=TaskOut)
@roles_required("community_secretary")
def create_task():
    data = parse_body(TaskIn)
    task = services.create_task(current_user, **data.model_dump())
    db.session.commit()
    return jsonify(serialise_task(task, current_user)), 201


@bp.get("/task-templates")
@doc("区里预设的服务项目模板（默认名额、时长、说明）", response=TemplatesOut)
@login_required
def list_templates():
    items = [{"category": code, "category_label": CATEGORIES[code], "title": title,
              "slots": slots, "duration_minutes": minutes, "starts_at_local": start,
              "description": notes, "skills": skills}
             for code, (title, slots, minutes, start, notes, skills) in TEMPLATES.items()]
    return jsonify({"items": items, "visibilities": VISIBILITIES})


@bp.post("/tasks/series")
@doc("重复排班：按天数和班次一次生成多个服务项目（同一事务）", body=SeriesIn, status=201,
     errors=(403, 404, 409), response=SeriesOut)
@roles_required("community_secretary")
def create_series():
    data = parse_body(SeriesIn)
    fields = data.model_dump(exclude={"shifts"})
    tasks = services.create_task_series(
        current_user, shifts=[(s.start, s.end) for s in data.shifts], **fields)
    db.session.commit()
    return jsonify({"items": [serialise_task(t, current_user) for t in tasks],
                    "total": len(tasks)}), 201


@bp.get("/task-series/<key>")
@doc("一个重复排班的全部服务项目（按开始时间；ahead 为尚未开始、可批量修改或取消的数目）",
     errors=(403, 404), response=SeriesTasksOut, path={"key": SERIES_KEY_SCHEMA})
@login_required
def get_series(key: str):
    tasks = services.get_series(current_user, key)
    return jsonify({"items": [serialise_task(t, current_user) for t in tasks],
                    "total": len(tasks), "ahead": len(services.series_ahead(tasks))})


@bp.put("/task-series/<key>")
@doc("批量修改重复排班中尚未开始的服务项目：名称、说明、地点、名额（本社区书记；地点变动通知认领人）",
     body=SeriesEditIn, errors=(403, 404, 409), response=SeriesChangedOut,
     path={"key": SERIES_KEY_SCHEMA})
@login_required
def update_series(key: str):
    data = parse_body(SeriesEditIn)
    count = services.update_series(current_user, key, **data.model_dump(exclude_none=True))
    db.session.commit()
    return jsonify({"updated": count})


@bp.post("/task-series/<key>/cancel")
@doc("取消重复排班中尚未开始的全部服务项目（本社区书记；须填写原因，认领人和候补会收到通知）",
     body=ReasonIn, errors=(403, 404, 409), response=SeriesCancelledOut,
     path={"key": SERIES_KEY_SCHEMA})
@login_required
def cancel_series(key: str):
    count = services.cancel_series(current_user, key, parse_body(ReasonIn).reason)
    db.session.commit()
    return jsonify({"cancelled": count})


@bp.get("/tasks/<int:task_id>")
@doc("服务项目详情", errors=(403, 404), response=TaskOut)
@login_required
def get_task(task_id: int):
    task = _task(task_id)
    claim = services.get_live_claim(current_user, task) if current_user.is_member else None
    return jsonify(serialise_task(task, current_user, claim=claim, detail=True))


@bp.put("/tasks/<int:task_id>")
@doc("修改服务项目（名额不少于已认领人数）", body=TaskEditIn, errors=(403, 404, 409),
     response=TaskOut)
@roles_required("community_secretary")
def update_task(task_id: int):
    task = _task(task_id)
    data = parse_body(TaskEditIn)
    services.update_task(current_user, task, **data.model_dump())
    db.session.commit()
    return jsonify(serialise_task(task, current_user))


@bp.post("/tasks/<int:task_id>/publish")
@doc("发布草稿", errors=(403, 404, 409), response=TaskOut)
@roles_required("community_secretary")
def publish_task(task_id: int):
    task = services.publish_task(current_user, _task(task_id))
    db.session.commit()
    return jsonify(serialise_task(task, current_user))


@bp.post("/tasks/<int:task_id>/cancel")
@doc("取消服务项目（须填写原因，认领人会收到通知）", body=ReasonIn, errors=(403, 404, 409),
     response=TaskOut)
@roles_required("community_secretary")
def cancel_task(task_id: int):
    task = _task(task_id)
    services.cancel_task(current_user, task, parse_body(ReasonIn).reason)
    db.session.commit()
    return jsonify(serialise_task(task, current_user))


@bp.post("/tasks/<int:task_id>/claim")
@doc("认领一个名额", status=201, errors=(403, 404, 409), response=ClaimOut)
@_refusals_first
@login_required
def claim_task(task_id: int):
    claim = services.claim_task_by_id(current_user, task_id)
    db.session.commit()
    return jsonify(serialise_claim(claim)), 201


@bp.delete("/tasks/<int:task_id>/claim")
@doc("取消认领（开始前规定时间以前）", errors=(403, 404, 409), response=ClaimOut)
@login_required
def cancel_claim(task_id: int):
    claim = services.cancel_claim(current_user, _task(task_id))
    db.session.commit()
    return jsonify(serialise_claim(claim))


@bp.post("/tasks/<int:task_id>/waitlist")
@doc("加入候补名单（名额已满时）", status=201, errors=(403, 404, 409),
     response=WaitlistEntryOut)
@login_required
def join_waitlist(task_id: int):
    task = _task(task_id)
    entry = services.join_waitlist(current_user, task)
    db.session.commit()
    return jsonify({"task_id": task.id, "status": entry.status,
                    "position": services.waitlist_position(current_user, task)}), 201


@bp.delete("/tasks/<int:task_id>/waitlist")
@doc("退出候补名单", errors=(403, 404, 409), response=WaitlistEntryOut)
@login_required
def leave_waitlist(task_id: int):
    entry = services.leave_waitlist(current_user, _task(task_id))
    db.session.commit()
    return jsonify({"task_id": task_id, "status": entry.status})


@bp.get("/tasks/<int:task_id>/waitlist")
@doc("候补名单（本社区书记、网格员）", errors=(403, 404), response=WaitlistOut)
@login_required
def get_waitlist(task_id: int):
    entries = services.list_waitlist(current_user, _task(task_id))
    return jsonify({"items": [
        {"position": i, "member_id": e.member_id, "name": e.member.name,
         "phone": shown_phone(current_user, e.member), "created_at": isoformat(e.created_at)}
        for i, e in enumerate(entries, 1)], "total": len(entries)})


@bp.post("/tasks/<int:task_id>/check-in")
@doc("签到（token 为现场二维码中的令牌时记为扫码签到）", body=CheckInIn,
     errors=(403, 404, 409), response=ClaimOut)
@login_required
def check_in(task_id: int):
    claim = services.check_in(current_user, _task(task_id), token=parse_body(CheckInIn).token)
    db.session.commit()
    return jsonify(serialise_claim(claim))


@bp.post("/tasks/<int:task_id>/check-out")
@doc("签退（时长按服务时段截取）", errors=(403, 404, 409), response=ClaimOut)
@login_required
def check_out(task_id: int):
    claim = services.check_out(current_user, _task(task_id))
    db.session.commit()
    return jsonify(serialise_claim(claim))


@bp.get("/tasks/<int:task_id>/roster")
@doc("认领名单（本社区书记、网格员、区管理员；手机号按权限显示）", errors=(403, 404),
     response=RosterOut)
@login_required
def roster(task_id: int):
    claims = services.list_roster(current_user, _task(task_id))
    return jsonify({"items": [serialise_claim(c, current_user, with_member=True)
                              for c in claims], "total": len(claims)})


@bp.post("/tasks/<int:task_id>/confirm-all")
@doc("全部按上报时长确认：已签退、未确认的认领按各自签到签退时长确认，统一评价服务质量（本社区书记）；"
     "没有可确认的为 409 nothing_to_confirm", body=ConfirmAllIn, errors=(403, 404, 409),
     response=ConfirmedOut)
@login_required
def confirm_all(task_id: int):
    quality = parse_body(ConfirmAllIn).quality
    count = services.confirm_all(current_user, _task(task_id), quality=quality)
    db.session.commit()
    return jsonify({"confirmed": count})


@bp.get("/tasks/<int:task_id>/qr-token")
@doc("现场签到二维码的当前令牌（社区书记；数分钟轮换一次）", errors=(403, 404, 409),
     response=QrTokenOut)
@roles_required("community_secretary")
def qr_token(task_id: int):
    task = _task(task_id)
    token = services.qr_token(current_user, task)
    return jsonify({"token": token, "url": url_for("tasks.scan", token=token, _external=True),
                    "rotates_every": services.qr_rotate_seconds()})


def _claim(claim_id: int):
    return services.get_claim(current_user, claim_id)


@bp.post("/claims/<int:claim_id>/confirm")
@doc("确认服务时长并评价服务质量（社区书记；调整时长须说明原因）", body=ConfirmIn,
     errors=(403, 404, 409), response=ClaimOut)
@login_required
def confirm_claim(claim_id: int):
    data = parse_body(ConfirmIn)
    claim = services.confirm_claim(current_user, _claim(claim_id), **data.model_dump())
    db.session.commit()
    return jsonify(serialise_claim(claim))


@bp.post("/claims/<int:claim_id>/no-show")
@doc("标记缺席（社区书记）", errors=(403, 404, 409), response=ClaimOut)
@login_required
def no_show(claim_id: int):
    claim = services.mark_no_show(current_user, _claim(claim_id))
    db.session.commit()
    return jsonify(serialise_claim(claim))


@bp.post("/claims/<int:claim_id>/remove")
@doc("将党员移出服务项目（社区书记；须填写原因）", body=ReasonIn, errors=(403, 404, 409),
     response=ClaimOut)
@login_required
def remove_claim(claim_id: int):
    claim = _claim(claim_id)
    services.remove_claim(current_user, claim, parse_body(ReasonIn).reason)
    db.session.commit()
    return jsonify(serialise_claim(claim))


@bp.post("/claims/<int:claim_id>/satisfaction")
@doc("代居民录入满意度（社区书记或网格员）", body=SatisfactionIn, errors=(403, 404, 409),
     response=ClaimOut)
@login_required
def satisfaction(claim_id: int):
    data = parse_body(SatisfactionIn)
    claim = services.rate_satisfaction(current_user, _claim(claim_id), **data.model_dump())
    db.session.commit()
    return jsonify(serialise_claim(claim))


@bp.get("/me/claims")
@doc("我的认领（when=upcoming 待参加，when=history 历史），附本月、本年确认时长",
     query={"when": {"type": "string", "enum": ["upcoming", "history"]}, "page": "integer",
            "per_page": "integer"}, errors=(403,),
     response=page_of(ClaimOut, "MyClaimPage", totals=(TotalsOut, ...)))
@login_required
def my_claims():
    when = request.args.get("when") or None
    if when not in (None, "upcoming", "history"):
        raise ValidationFailed(fields={"when": "应为 upcoming 或 history"})
    stmt = services.list_my_claims_stmt(current_user, when=when)
    return paginated(stmt, lambda c: serialise_claim(c, with_task=True),
                     totals=services.service_totals(current_user))
