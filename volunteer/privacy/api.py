"""Client API: a member's own data, their deletion request, and the secretary's handling."""

from flask import jsonify, request
from flask_login import current_user

from volunteer.core.api import Out, Timestamp, api_blueprint, doc, one_of, page_of, paginated
from volunteer.core.decorators import roles_required
from volunteer.core.errors import ValidationFailed
from volunteer.core.time import isoformat
from volunteer.extensions import db
from volunteer.privacy import services
from volunteer.privacy.export import member_data
from volunteer.privacy.models import DELETION_STATUSES

bp = api_blueprint("privacy_api", __name__)


class DeletionMemberOut(Out):
    id: int
    name: str
    community_id: int | None


class DeletionOut(Out):
    id: int
    status: one_of(DELETION_STATUSES)
    status_label: str
    member: DeletionMemberOut
    requested_at: Timestamp
    handled_at: Timestamp | None
    handled_by_id: int | None


class MyDataOut(Out):
    """The member's copy: each part as the feature's own API shows it."""

    exported_at: Timestamp
    notice_version: str
    profile: dict
    consents: list[dict]
    claims: list[dict]
    wishes_claimed: list[dict]
    requests_assigned: list[dict]
    mobilisation_replies: list[dict]
    notifications: list[dict]
    deletion_requests: list[dict]


def serialise_deletion(row) -> dict:
    """A deletion request as the secretary sees it (the member's current name and phone)."""
    member = row.member
    return {"id": row.id, "status": row.status, "status_label": row.status_label,
            "member": {"id": member.id, "name": member.name,
                       "community_id": member.community_id},
            "requested_at": isoformat(row.requested_at), "handled_at": isoformat(row.handled_at),
            "handled_by_id": row.handled_by_id}


@bp.get("/me/data")
@doc("下载本人的个人信息（资料、同意记录、认领与服务记录、微心愿、点单、消息）", errors=(403,),
     response=MyDataOut)
@roles_required("member")
def my_data():
    response = jsonify(member_data(current_user))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/me/deletion-request")
@doc("申请注销账号、删除个人信息（由居住社区书记处理；服务记录匿名保留）", status=202,
     errors=(403,), response=DeletionOut)
@roles_required("member")
def request_deletion():
    row = services.request_deletion(current_user)
    db.session.commit()
    return jsonify(serialise_deletion(row)), 202


@bp.get("/deletion-requests")
@doc("待处理的注销申请（社区书记：本社区；区委组织部：全部）",
     query={"status": {"type": "string", "enum": ["pending", "done", "all"]},
            "page": "integer", "per_page": "integer"}, errors=(403,),
     response=page_of(DeletionOut))
@roles_required("community_secretary", "district_admin")
def list_deletions():
    status = request.args.get("status") or "pending"
    if status not in ("pending", "done", "all"):
        raise ValidationFailed(fields={"status": "应为 pending、done 或 all"})
    stmt = services.list_deletion_requests_stmt(current_user,
                                                status=None if status == "all" else status)
    return paginated(stmt, serialise_deletion)


@bp.post("/deletion-requests/<int:deletion_id>/complete")
@doc("处理注销申请：停用并匿名化账号，服务记录保留", errors=(403, 404, 409),
     response=DeletionOut)
@roles_required("community_secretary", "district_admin")
def complete_deletion(deletion_id: int):
    row = services.get_deletion_request(current_user, deletion_id)
    services.complete_deletion(current_user, row)
    db.session.commit()
    return jsonify(serialise_deletion(row))
