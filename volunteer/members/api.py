"""Client API: registration, approval, member listings."""

from flask import jsonify, request
from flask_login import current_user
from pydantic import Field

from volunteer.auth.api import UserOut, serialise_user
from volunteer.auth.models import MEMBER_STATUSES
from volunteer.auth.services import NAME_MAX, PASSWORD_MIN, PHONE_RE
from volunteer.core.api import (
    ApiModel,
    Id,
    Required,
    api_blueprint,
    doc,
    page_of,
    paginated,
    parse_body,
    query_int,
)
from volunteer.core.decorators import login_required, roles_required
from volunteer.core.skills import MAX_TAGS
from volunteer.core.text import REASON_MAX
from volunteer.extensions import db
from volunteer.members import services

bp = api_blueprint("members_api", __name__)


class RegisterIn(ApiModel):
    name: str = Required(NAME_MAX)
    phone: str = Required(20, pattern=PHONE_RE.pattern)
    password: str = Required(200, minLength=PASSWORD_MIN)
    unit_id: Id
    community_id: Id
    grid_id: Id | None = None
    skills: list[str] | None = Field(default=None, max_length=20,
                                     json_schema_extra={"maxItems": MAX_TAGS})
    industry: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=services.EMAIL_MAX)
    privacy_consent: bool = Field(description="同意《个人信息保护说明》（/privacy），须为 true")


class RejectIn(ApiModel):
    reason: str = Required(REASON_MAX)


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
     query={"status": {"type": "string", "enum": list(MEMBER_STATUSES)}, "q": "string",
            "community_id": "integer", "page": "integer", "per_page": "integer"},
     errors=(403,), response=page_of(UserOut, "MemberPage"))
@login_required
def list_members():
    status = request.args.get("status")
    stmt = services.list_members_stmt(
        current_user, status=status if status in ("pending", "approved", "rejected") else None,
        q=request.args.get("q"), community_id=query_int("community_id"))
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


@bp.put("/me/profile")
@doc("修改本人专长、行业、邮箱和网格", body=ProfileIn, errors=(403, 404), response=UserOut)
@roles_required("member")
def update_profile():
    data = parse_body(ProfileIn)
    member = services.update_profile(current_user, **data.model_dump())
    db.session.commit()
    return jsonify(serialise_user(member, member))


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
