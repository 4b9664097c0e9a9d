"""Client API: 集结号 — declaring, answering, the live roster, posts and shifts, closing."""

from flask import jsonify, request
from flask_login import current_user
from pydantic import Field

from volunteer.auth.permissions import shown_phone
from volunteer.core.api import (
    ApiModel,
    Id,
    Int,
    Out,
    Required,
    Timestamp,
    api_blueprint,
    doc,
    one_of,
    page_args,
    page_of,
    paginated,
    parse_body,
)
from volunteer.core.decorators import login_required, roles_required
from volunteer.core.time import isoformat
from volunteer.extensions import db
from volunteer.mobilisation import services
from volunteer.mobilisation.models import ANSWERS, STATUSES

bp = api_blueprint("mobilisation_api", __name__)


class PostIn(ApiModel):
    name: str = Required(services.POST_NAME_MAX)
    needed: Int


class MobilisationIn(ApiModel):
    title: str = Required(services.TITLE_MAX)
    message: str = Required(services.MESSAGE_MAX)
    community_ids: list[Id] = Field(default_factory=list, max_length=300)
    grid_ids: list[Id] = Field(default_factory=list, max_length=300)
    posts: list[PostIn] = Field(max_length=20)


class ReplyIn(ApiModel):
    answer: str = Required(10, ANSWERS)
    note: str | None = Field(default=None, max_length=services.NOTE_MAX)


class AssignIn(ApiModel):
    member_id: Id
    post_id: Id | None
    shift: str | None = Field(default=None, max_length=services.SHIFT_MAX)


class AreaOut(Out):
    community_id: int
    community_name: str
    grid_id: int | None
    grid_name: str | None


class PostOut(Out):
    id: int
    name: str
    needed: int


class PostCountOut(PostOut):
    assigned: int


class CountsOut(Out):
    reached: int
    reporting: int
    cannot: int
    unanswered: int
    posts: list[PostCountOut]


class NamedOut(Out):
    id: int
    name: str


class ReplyOut(Out):
    answer: one_of(ANSWERS)
    answer_label: str
    note: str | None
    answered_at: Timestamp
    post: NamedOut | None
    shift: str | None


class MobilisationOut(Out):
    id: int
    title: str
    message: str
    status: one_of(STATUSES)
    status_label: str
    street_id: int | None
    created_at: Timestamp
    closed_at: Timestamp | None
    areas: list[AreaOut]
    posts: list[PostOut]
    my_reply: ReplyOut | None = None
    members_told: int | None = None
    counts: CountsOut | None = None


class RosterMemberOut(Out):
    id: int
    name: str
    phone: str
    community_id: int | None
    grid_id: int | None
    skills: list[str]


class RosterRowOut(Out):
    member: RosterMemberOut
    reply: ReplyOut | None


RosterOut = page_of(RosterRowOut, "MobilisationRosterOut", counts=(CountsOut, ...))


def serialise(mobilisation, viewer) -> dict:
    """A call as ``viewer`` sees it: with their own answer (members) or the counts (staff)."""
    body = {
        "id": mobilisation.id, "title": mobilisation.title, "message": mobilisation.message,
        "status": mobilisation.status, "status_label": mobilisation.status_label,
        "street_id": mobilisation.street_id, "created_at": isoformat(mobilisation.created_at),
        "closed_at": isoformat(mobilisation.closed_at),
        "areas": [{"community_id": a.community_id, "community_name": a.community.name,
                   "grid_id": a.grid_id, "grid_name": a.grid.name if a.grid else None}
                  for a in mobilisation.areas],
        "posts": [{"id": p.id, "name": p.name, "needed": p.needed} for p in mobilisation.posts],
    }
    if viewer.is_member:
        mine = services.my_reply(viewer, mobilisation)
        body["my_reply"] = serialise_reply(mine) if mine else None
    else:
        body["members_told"] = mobilisation.members_told
        body["counts"] = services.counts(viewer, mobilisation)
    return body


def serialise_reply(reply) -> dict:
    return {"answer": reply.answer, "answer_label": reply.answer_label, "note": reply.note,
            "answered_at": isoformat(reply.answered_at),
            "post": {"id": reply.post.id, "name": reply.post.name} if reply.post else None,
            "shift": reply.shift}


def _mobilisation(mobilisation_id: int):
    return services.get_mobilisation(current_user, mobilisation_id)


@bp.get("/mobilisations")
@doc("集结号列表：党员看发给自己的，工作人员看管辖范围内的",
     query={"page": "integer", "per_page": "integer"}, response=page_of(MobilisationOut))
@login_required
def list_mobilisations():
    return paginated(services.list_stmt(current_user),
                     lambda mobilisation: serialise(mobilisation, current_user))


@bp.post("/mobilisations")
@doc("发出集结号（区级管理员；街道审核员限本街道）：集结区域为社区或网格，岗位及所需人数；"
     "区域内所有已审核党员立即收到通知", body=MobilisationIn, status=201,
     errors=(403, 404), response=MobilisationOut)
@roles_required("district_admin", "street_reviewer")
def declare():
    data = parse_body(MobilisationIn)
    mobilisation = services.declare(
        current_user, title=data.title, message=data.message, community_ids=data.community_ids,
        grid_ids=data.grid_ids, posts=[post.model_dump() for post in data.posts])
    db.session.commit()
    return jsonify(serialise(mobilisation, current_user)), 201


@bp.get("/mobilisations/<int:mobilisation_id>")
@doc("集结号详情", errors=(403, 404), response=MobilisationOut)
@login_required
def detail(mobilisation_id: int):
    return jsonify(serialise(_mobilisation(mobilisation_id), current_user))


@bp.post("/mobilisations/<int:mobilisation_id>/reply")
@doc("回复集结号：answer 为 reporting（响应报到）或 cannot（无法报到），可再次回复修改",
     body=ReplyIn, errors=(403, 404, 409), response=ReplyOut)
@roles_required("member")
def reply(mobilisation_id: int):
    mobilisation = _mobilisation(mobilisation_id)
    data = parse_body(ReplyIn)
    row = services.reply(current_user, mobilisation, data.answer, data.note)
    db.session.commit()
    return jsonify(serialise_reply(row))


@bp.get("/mobilisations/<int:mobilisation_id>/roster")
@doc("报到名单（实时）：社区书记、网格员看本社区党员，功能型党支部书记看本支部党员，"
     "发起人看全部；show=reporting|cannot|none|assigned|unassigned 筛选",
     query={"show": {"type": "string",
                     "enum": ["reporting", "cannot", "none", "assigned", "unassigned"]},
            "page": "integer", "per_page": "integer"}, errors=(403, 404), response=RosterOut)
@login_required
def roster(mobilisation_id: int):
    mobilisation = _mobilisation(mobilisation_id)
    stmt = services.roster_stmt(current_user, mobilisation, request.args.get("show") or None)
    page, per_page = page_args()
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False, max_per_page=100)
    replies = services.replies_of(mobilisation, result.items)
    items = []
    for member in result.items:
        row = replies.get(member.id)
        items.append({
            "member": {"id": member.id, "name": member.name,
                       "phone": shown_phone(current_user, member),
                       "community_id": member.community_id, "grid_id": member.grid_id,
                       "skills": member.skill_tags},
            "reply": serialise_reply(row) if row else None,
        })
    return jsonify({"items": items, "page": page, "per_page": per_page, "total": result.total,
                    "counts": services.counts(current_user, mobilisation)})


@bp.post("/mobilisations/<int:mobilisation_id>/assign")
@doc("安排岗位和班次（党员居住社区的书记）；post_id 为 null 时取消安排",
     body=AssignIn, errors=(403, 404, 409), response=ReplyOut)
@roles_required("community_secretary")
def assign(mobilisation_id: int):
    mobilisation = _mobilisation(mobilisation_id)
    data = parse_body(AssignIn)
    row = services.assign(current_user, mobilisation, data.member_id, data.post_id, data.shift)
    db.session.commit()
    return jsonify(serialise_reply(row))


@bp.post("/mobilisations/<int:mobilisation_id>/close")
@doc("结束集结号（发起的街道审核员或区级管理员）；报到党员收到感谢", errors=(403, 404, 409),
     response=MobilisationOut)
@roles_required("district_admin", "street_reviewer")
def close(mobilisation_id: int):
    mobilisation = services.close(current_user, _mobilisation(mobilisation_id))
    db.session.commit()
    return jsonify(serialise(mobilisation, current_user))
