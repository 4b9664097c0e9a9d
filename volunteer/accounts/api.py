"""Client API: password resets (staff and self-service), staff turnover, a member's phone."""

from flask import jsonify
from flask_login import current_user
from pydantic import Field

from volunteer.accounts import recovery, services
from volunteer.auth.api import UserOut, client_ip, serialise_user
from volunteer.auth.models import ROLE_SCOPE, STAFF_ROLES
from volunteer.auth.services import NAME_MAX, PASSWORD_MIN, PHONE_RE
from volunteer.core.api import (
    ApiModel,
    Id,
    OkOut,
    Out,
    Required,
    api_blueprint,
    doc,
    parse_body,
)
from volunteer.core.decorators import roles_required
from volunteer.extensions import db
from volunteer.members.services import get_member

bp = api_blueprint("accounts_api", __name__)


class TemporaryPasswordOut(Out):
    temporary_password: str


class ForgotIn(ApiModel):
    phone: str = Required(20, pattern=PHONE_RE.pattern)


class ResetIn(ApiModel):
    phone: str = Required(20, pattern=PHONE_RE.pattern)
    code: str = Required(10, pattern=r"^\d{6}$")
    password: str = Required(200, minLength=PASSWORD_MIN)


class ScopeIn(ApiModel):
    role: str | None = Field(default=None, max_length=30,
                             json_schema_extra={"enum": list(STAFF_ROLES)})
    street_id: Id | None = None
    community_id: Id | None = None
    grid_id: Id | None = None
    unit_id: Id | None = None
    branch_id: Id | None = None


class HandOverIn(ApiModel):
    successor_phone: str = Required(20, pattern=PHONE_RE.pattern)
    successor_name: str | None = Field(default=None, max_length=NAME_MAX)
    successor_email: str | None = Field(default=None, max_length=120)


class HandOverOut(Out):
    successor: UserOut
    temporary_password: str | None


class PhoneIn(ApiModel):
    phone: str = Required(20, pattern=PHONE_RE.pattern)


@bp.post("/members/<int:member_id>/reset-password")
@doc("重置党员密码，返回一次性的临时密码（所在社区书记、区委组织部）", errors=(403, 404),
     response=TemporaryPasswordOut)
@roles_required("community_secretary", "district_admin")
def reset_member_password(member_id: int):
    password = services.reset_password(current_user, get_member(current_user, member_id))
    db.session.commit()
    return jsonify({"temporary_password": password})


@bp.post("/staff/<int:user_id>/reset-password")
@doc("重置工作人员密码，返回一次性的临时密码（区委组织部）", errors=(403, 404),
     response=TemporaryPasswordOut)
@roles_required("district_admin")
def reset_staff_password(user_id: int):
    password = services.reset_password(current_user, services.get_staff_account(user_id))
    db.session.commit()
    return jsonify({"temporary_password": password})


@bp.post("/auth/forgot")
@doc("忘记密码：向账号的联系渠道发送 6 位验证码（无论手机号是否注册都答 202）", body=ForgotIn,
     auth=False, status=202, errors=(429,), response=OkOut)
def forgot_password():
    data = parse_body(ForgotIn)
    recovery.request_reset_code(data.phone, client_ip())
    db.session.commit()
    return jsonify({"ok": True}), 202


@bp.post("/auth/reset")
@doc("用验证码设置新密码（成功后请重新登录）", body=ResetIn, auth=False, errors=(429,),
     response=OkOut)
def reset_password():
    data = parse_body(ResetIn)
    attempt = recovery.begin_reset(data.phone, data.password, client_ip())
    db.session.commit()  # the attempt counts, whatever the code
    recovery.finish_reset(attempt, data.code, data.password)
    db.session.commit()
    return jsonify({"ok": True})


@bp.put("/staff/<int:user_id>/scope")
@doc("换届：调整工作人员账号的角色和范围（区委组织部）", body=ScopeIn, errors=(403, 404),
     response=UserOut)
@roles_required("district_admin")
def change_staff_scope(user_id: int):
    data = parse_body(ScopeIn)
    account = services.get_staff_account(user_id)
    role = data.role or account.role
    scope_id = getattr(data, ROLE_SCOPE[role]) if role in ROLE_SCOPE else None
    services.change_staff_scope(current_user, account, role=data.role, scope_id=scope_id)
    db.session.commit()
    return jsonify(serialise_user(account))


@bp.post("/staff/<int:user_id>/hand-over")
@doc("换届：把账号的角色和范围交给继任者，原账号停用（区委组织部）", body=HandOverIn,
     errors=(403, 404, 409), response=HandOverOut)
@roles_required("district_admin")
def hand_over_staff(user_id: int):
    data = parse_body(HandOverIn)
    successor, password = services.hand_over_staff(
        current_user, services.get_staff_account(user_id), successor_phone=data.successor_phone,
        successor_name=data.successor_name, successor_email=data.successor_email)
    db.session.commit()
    return jsonify({"successor": serialise_user(successor), "temporary_password": password})


@bp.put("/members/<int:member_id>/phone")
@doc("修改党员的登录手机号（所在社区书记、区委组织部）", body=PhoneIn, errors=(403, 404, 409),
     response=UserOut)
@roles_required("community_secretary", "district_admin")
def change_member_phone(member_id: int):
    data = parse_body(PhoneIn)
    member = services.change_member_phone(current_user, get_member(current_user, member_id),
                                          data.phone)
    db.session.commit()
    return jsonify(serialise_user(member))
