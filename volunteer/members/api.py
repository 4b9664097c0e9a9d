"""Client API: registration, approval, member listings."""

from flask import jsonify, request
from flask_login import current_user
from pydantic import Field

from volunteer.auth.api import UserOut, serialise_user
from volunteer.auth.services import NAME_MAX, PASSWORD_MIN, PHONE_RE
from volunteer.core.api import (
    ApiModel,
    Id,
    Out,
    Required,
    Timestamp,
    api_blueprint,
    doc,
    page_of,
    paginated,
    parse_body,
    query_int,
)
from volunteer.core.decorators import login_required, roles_required
from volunteer.core.skills import MAX_TAGS, SKILLS
from volunteer.core.text import REASON_MAX
from volunteer.core.time import isoformat
from volunteer.extensions import db
from volunteer.members import management, services
from volunteer.members.record import member_record
from volunteer.orgs.models import Branch
from volunteer.orgs.services import get_or_404

bp = api_blueprint("members_api", __name__)
SEARCH_MAX = 50
RECORD_SERVICES = 20


class RegisterIn(ApiModel):
    name: str = Required(NAME_MAX)
    phone: str = Required(20, pattern=PHONE_RE.pattern)
    password: str = Required(200, minLength=PASSWORD_MIN)
    unit_id: Id
    community_id: Id
    grid_id: Id | None = None
    branch_id: Id | None = Field(default=None, description="居住社区的功能型党支部或党小组（可选）")
    skills: list[str] | None = Field(default=None, max_length=20,
                                     json_schema_extra={"maxItems": MAX_TAGS})
    industry: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=services.EMAIL_MAX)
    privacy_consent: bool = Field(description="同意《个人信息保护说明》（/privacy），须为 true")


class RejectIn(ApiModel):
    reason: str = Required(REASON_MAX)


class MemberBranchIn(ApiModel):
    branch_id: Id | None = Field(description="居住社区的功能型党支部或党小组；null 为移出")


class ProfileIn(ApiModel):
    skills: list[str] | None = Field(default=None, max_length=20,
                                     json_schema_extra={"maxItems": MAX_TAGS})
    industry: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=services.EMAIL_MAX)
    grid_id: Id | None = None


@bp.post("/members/register")
@doc("报到：注册为在职党员（待社区审核）", body=RegisterIn, auth=False, status=201,
     errors=(404, 409, 429), response=UserOut)
def register():
    data = parse_body(RegisterIn)
    services.count_registration_attempt(request.remote_addr or "unknown")
    db.session.commit()  # the attempt counts, whatever its outcome
    member = services.register_member(**data.model_dump())
    db.session.commit()
    return jsonify(serialise_user(member, member)), 201


@bp.get("/members")
@doc("党员列表（按本人管辖范围）",
     query={"status": {"type": "string", "enum": list(services.MEMBER_FILTER_STATUSES)},
            "q": "string", "community_id": "integer", "grid_id": "integer",
            "unit_id": "integer", "branch_id": "integer",
            "skill": {"type": "string", "enum": list(SKILLS)},
            "page": "integer", "per_page": "integer"},
     errors=(403,), response=page_of(UserOut, "MemberPage"))
@login_required
def list_members():
    status, skill = request.args.get("status"), request.args.get("skill")
    stmt = services.list_members_stmt(
        current_user, status=status if status in services.MEMBER_FILTER_STATUSES else None,
        q=(request.args.get("q") or "")[:SEARCH_MAX] or None,
        community_id=query_int("community_id"), grid_id=query_int("grid_id"),
        unit_id=query_int("unit_id"), branch_id=query_int("branch_id"),
        skill=skill if skill in SKILLS else None)
    return paginated(stmt, serialise_user)


@bp.get("/members/<int:member_id>")
@doc("党员详情", errors=(403, 404), response=UserOut)
@login_required
def get_member(member_id: int):
    return jsonify(serialise_user(services.get_member(current_user, member_id)))


@bp.post("/members/<int:member_id>/approve")
@doc("审核通过（亮身份，党员居住社区的书记）", errors=(403, 404, 409), response=UserOut)
@roles_required("community_secretary")
def approve(member_id: int):
    member = services.approve_member(current_user, services.get_member(current_user, member_id))
    db.session.commit()
    return jsonify(serialise_user(member))


@bp.post("/members/<int:member_id>/reject")
@doc("审核不通过（须填写原因）", body=RejectIn, errors=(403, 404, 409), response=UserOut)
@roles_required("community_secretary")
def reject(member_id: int):
    member = services.get_member(current_user, member_id)
    member = services.reject_member(current_user, member, parse_body(RejectIn).reason)
    db.session.commit()
    return jsonify(serialise_user(member))


@bp.put("/members/<int:member_id>/branch")
@doc("编入或移出功能型党支部、党小组（党员居住社区的书记；branch_id 为 null 时移出）",
     body=MemberBranchIn, errors=(403, 404, 409), response=UserOut)
@roles_required("community_secretary")
def set_branch(member_id: int):
    member = services.get_member(current_user, member_id)
    branch_id = parse_body(MemberBranchIn).branch_id
    branch = get_or_404(Branch, branch_id, "branch_id") if branch_id is not None else None
    member = services.set_member_branch(current_user, member, branch)
    db.session.commit()
    return jsonify(serialise_user(member))


@bp.put("/me/profile")
@doc("修改本人专长、行业、邮箱和网格", body=ProfileIn, errors=(403, 404), response=UserOut)
@roles_required("member")
def update_profile():
    data = parse_body(ProfileIn)
    member = services.update_profile(current_user, **data.model_dump())
    db.session.commit()
    return jsonify(serialise_user(member, member))


class ApproveManyIn(ApiModel):
    member_ids: list[Id] = Field(min_length=1, max_length=management.BULK_APPROVE_MAX)


class RefusalOut(Out):
    id: int
    reason: str


class ApproveManyOut(Out):
    approved: list[int]
    refused: list[RefusalOut]


class DeactivateIn(ApiModel):
    reason: str = Required(REASON_MAX)


class TransferIn(ApiModel):
    community_id: Id
    reason: str = Required(REASON_MAX)


class MemberStateOut(UserOut):
    active: bool


class HoursOut(Out):
    services: int
    hours: float


class RecordServiceOut(Out):
    claim_id: int
    task_id: int
    title: str
    starts_at: Timestamp
    hours: float | None
    quality: int | None
    satisfaction: int | None
    status: str
    outcome: str


class RatingsOut(Out):
    count: int
    average: float | None


class CommendationOut(Out):
    period: str
    citation: str


class HistoryOut(Out):
    at: Timestamp
    action: str
    label: str
    actor: str | None
    reason: str | None


class MemberRecordOut(Out):
    member: MemberStateOut
    quarter: str
    hours_quarter: HoursOut
    hours_total: HoursOut
    wishes_fulfilled: int
    ratings: RatingsOut
    services: list[RecordServiceOut]
    services_total: int
    commendations: list[CommendationOut]
    history: list[HistoryOut] | None


def _state(member) -> dict:
    return {**serialise_user(member), "active": member.active}


@bp.post("/members/approve")
@doc("批量通过报到（党员居住社区的书记；每个 id 单独判断，不能通过的列在 refused 中）",
     body=ApproveManyIn, errors=(403,), response=ApproveManyOut)
@roles_required("community_secretary")
def approve_many():
    outcome = management.approve_members(current_user, parse_body(ApproveManyIn).member_ids)
    db.session.commit()
    return jsonify(outcome)


@bp.post("/members/<int:member_id>/deactivate")
@doc("停用党员（须填写原因；党员居住社区的书记）", body=DeactivateIn, errors=(403, 404, 409),
     response=MemberStateOut)
@roles_required("community_secretary")
def deactivate(member_id: int):
    member = services.get_member(current_user, member_id)
    member = management.deactivate_member(current_user, member, parse_body(DeactivateIn).reason)
    db.session.commit()
    return jsonify(_state(member))


@bp.post("/members/<int:member_id>/reactivate")
@doc("重新启用已停用的党员", errors=(403, 404, 409), response=MemberStateOut)
@roles_required("community_secretary")
def reactivate(member_id: int):
    member = services.get_member(current_user, member_id)
    member = management.reactivate_member(current_user, member)
    db.session.commit()
    return jsonify(_state(member))


@bp.post("/members/<int:member_id>/transfer")
@doc("转出党员到其他社区（在转入社区重新待审核）", body=TransferIn, errors=(403, 404, 409),
     response=MemberStateOut)
@roles_required("community_secretary")
def transfer(member_id: int):
    member = services.get_member(current_user, member_id)
    data = parse_body(TransferIn)
    member = management.transfer_member(current_user, member, data.community_id, data.reason)
    db.session.commit()
    return jsonify(_state(member))


def _service(claim) -> dict:
    return {"claim_id": claim.id, "task_id": claim.task_id, "title": claim.task.title,
            "starts_at": isoformat(claim.task.starts_at), "hours": claim.confirmed_hours,
            "quality": claim.quality, "satisfaction": claim.satisfaction,
            "status": claim.status, "outcome": claim.outcome}


@bp.get("/members/<int:member_id>/record")
@doc(f"党员档案：时长、最近 {RECORD_SERVICES} 次服务、评价、评优和档案记录（按查看者范围）",
     errors=(403, 404), response=MemberRecordOut)
@login_required
def record(member_id: int):
    member = services.get_member(current_user, member_id)
    found = member_record(current_user, member)
    claims = db.paginate(found["claims_stmt"], page=1, per_page=RECORD_SERVICES,
                         error_out=False)
    history = found["history"]
    return jsonify({
        "member": _state(member), "quarter": found["quarter"].key,
        "hours_quarter": found["hours_quarter"], "hours_total": found["hours_total"],
        "wishes_fulfilled": found["wishes_fulfilled"],
        "ratings": {"count": found["ratings"]["count"],
                    "average": found["ratings"]["average"]},
        "services": [_service(c) for c in claims.items], "services_total": claims.total,
        "commendations": [{"period": c.period, "citation": c.citation}
                          for c in found["commendations"]],
        "history": None if history is None else [
            {"at": isoformat(h["at"]), "action": h["action"], "label": str(h["label"]),
             "actor": h["actor"], "reason": h["reason"]} for h in history]})
class MoveIn(ApiModel):
    community_id: Id | None = Field(default=None, description="新的居住社区（搬家）")
    grid_id: Id | None = Field(default=None, description="新的网格（须属于该社区）")
    unit_id: Id | None = Field(default=None, description="新的工作单位")


@bp.post("/me/move")
@doc("搬家 / 更换网格或单位：更换社区后在新社区待审核；只换网格或单位不需要重新审核",
     body=MoveIn, errors=(403,), response=UserOut)
@roles_required("member")
def move():
    data = parse_body(MoveIn)
    member = services.move_member(current_user._get_current_object(), **data.model_dump())
    db.session.commit()
    return jsonify(serialise_user(member, member))
