"""Client API: tokens, the current user, passwords, staff accounts."""

from flask import jsonify, request
from flask_login import current_user
from pydantic import Field

from volunteer.auth import services
from volunteer.auth.models import MEMBER_STATUSES, ROLE_SCOPE, ROLES, STAFF_ROLES
from volunteer.auth.permissions import shown_phone
from volunteer.auth.services import PASSWORD_MIN, PHONE_RE
from volunteer.core.api import (
    ApiModel,
    Id,
    OkOut,
    Out,
    Required,
    Timestamp,
    api_blueprint,
    doc,
    one_of,
    page_of,
    paginated,
    parse_body,
)
from volunteer.core.decorators import login_required, roles_required
from volunteer.core.errors import NotAuthenticated
from volunteer.core.time import isoformat
from volunteer.extensions import db

bp = api_blueprint("auth_api", __name__)


class UserOut(Out):
    id: int
    name: str
    phone: str
    role: one_of(ROLES)
    role_label: str
    status: one_of(MEMBER_STATUSES)
    street_id: int | None
    community_id: int | None
    grid_id: int | None
    unit_id: int | None
    branch_id: int | None
    skills: list[str]
    industry: str | None
    reject_reason: str | None
    must_change_password: bool
    created_at: Timestamp


class TokenOut(Out):
    token: str
    expires_at: Timestamp
    user: UserOut


def serialise_user(user, viewer=None) -> dict:
    """A user as the API shows it to ``viewer`` (phone masked unless allowed)."""
    viewer = viewer if viewer is not None else current_user
    return {
        "id": user.id, "name": user.name, "phone": shown_phone(viewer, user),
        "role": user.role, "role_label": user.role_label, "status": user.status,
        "street_id": user.street_id, "community_id": user.community_id,
        "grid_id": user.grid_id, "unit_id": user.unit_id, "branch_id": user.branch_id,
        "skills": user.skill_tags, "industry": user.industry,
        "reject_reason": user.reject_reason if viewer and viewer.id == user.id else None,
        "must_change_password": bool(user.must_change_password),
        "created_at": isoformat(user.created_at),
    }


class TokenIn(ApiModel):
    phone: str = Required(20)
    password: str = Required(200)


class PasswordIn(ApiModel):
    old_password: str = Required(200)
    new_password: str = Required(200, minLength=PASSWORD_MIN)


class StaffIn(ApiModel):
    name: str = Field(min_length=1, max_length=services.NAME_MAX)
    phone: str = Required(20, pattern=PHONE_RE.pattern)
    password: str = Required(200, minLength=PASSWORD_MIN)
    role: str = Required(30, STAFF_ROLES)
    email: str | None = Field(default=None, max_length=120)
    street_id: Id | None = None
    community_id: Id | None = None
    grid_id: Id | None = None
    unit_id: Id | None = None
    branch_id: Id | None = None


def client_ip() -> str:
    return request.remote_addr or "unknown"


@bp.post("/auth/token")
@doc("用手机号和密码换取令牌", body=TokenIn, auth=False, errors=(401, 429),
     response=TokenOut)
def create_token():
    data = parse_body(TokenIn)
    attempt = services.begin_login(data.phone, client_ip())
    # counted before the password is checked; argon2 then runs outside the transaction
    db.session.commit()
    user = services.finish_login(attempt, data.password)
    token, row = services.issue_api_token(user)
    db.session.commit()
    return jsonify({"token": token, "expires_at": isoformat(row.expires_at),
                    "user": serialise_user(user, user)})


@bp.delete("/auth/token")
@doc("注销当前令牌", response=OkOut)
@login_required
def revoke_token():
    token_id = request.environ.get("volunteer.api_token_id")
    row = services.get_api_token(token_id) if token_id is not None else None
    if row is None:
        raise NotAuthenticated("请使用令牌调用此接口")
    services.revoke_api_token(row)
    db.session.commit()
    return jsonify({"ok": True})


@bp.post("/auth/logout-all")
@doc("退出所有设备：所有会话和令牌失效", response=OkOut)
@login_required
def logout_all():
    services.end_all_sessions(current_user)
    db.session.commit()
    return jsonify({"ok": True})


@bp.post("/auth/password")
@doc("修改密码（其他会话和令牌随之失效）", body=PasswordIn, errors=(409,), response=OkOut)
@login_required
def change_password():
    data = parse_body(PasswordIn)
    services.change_password(current_user, data.old_password, data.new_password)
    db.session.commit()
    return jsonify({"ok": True})


@bp.get("/me")
@doc("当前用户", response=UserOut)
@login_required
def me():
    return jsonify(serialise_user(current_user, current_user))


@bp.post("/staff")
@doc("创建工作人员账号（区委组织部）", body=StaffIn, status=201, errors=(403, 404, 409),
     response=UserOut)
@roles_required("district_admin")
def create_staff():
    data = parse_body(StaffIn)
    scope_id = None
    if data.role in ROLE_SCOPE:
        scope_id = getattr(data, ROLE_SCOPE[data.role])
    user = services.create_staff(current_user, name=data.name, phone=data.phone,
                                 password=data.password, role=data.role, scope_id=scope_id,
                                 email=data.email)
    db.session.commit()
    return jsonify(serialise_user(user)), 201


@bp.get("/staff")
@doc("工作人员列表（区委组织部）",
     query={"role": {"type": "string", "enum": list(STAFF_ROLES)}, "q": "string",
            "page": "integer", "per_page": "integer"}, errors=(403,), response=page_of(UserOut))
@roles_required("district_admin")
def list_staff():
    role = request.args.get("role") or None
    role = role if role in STAFF_ROLES else None
    return paginated(services.list_staff_stmt(role, request.args.get("q")), serialise_user)
