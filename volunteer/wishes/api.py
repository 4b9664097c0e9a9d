"""Client API: collecting, publishing, claiming, fulfilling and confirming 微心愿."""


from datetime import date

from flask import jsonify, request, send_file
from flask_login import current_user
from pydantic import Field

from volunteer.core.api import (
    SEARCH_QUERY,
    ApiModel,
    Day,
    Id,
    Int,
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
    query_int,
)
from volunteer.core.decorators import login_required, roles_required
from volunteer.core.errors import ValidationFailed
from volunteer.core.text import REASON_MAX
from volunteer.core.time import isoformat, utcnow
from volunteer.extensions import db
from volunteer.wishes import services
from volunteer.wishes.models import CLAIM_STATES, HOUSEHOLD_KINDS, PHOTO_KINDS, STATUSES
from volunteer.wishes.permissions import can_see_claim_history, can_see_household, holds_claim

bp = api_blueprint("wishes_api", __name__)

STAFF = ("community_secretary", "grid_worker", "street_reviewer", "district_admin")


class WishIn(ApiModel):
    household_kind: str = Required(20, HOUSEHOLD_KINDS)
    beneficiary_name: str = Required(services.NAME_MAX)
    address: str = Required(services.ADDRESS_MAX)
    phone: str = Required(20)
    content: str = Required(services.CONTENT_MAX)
    value: Int
    grid_id: Id | None = None
    deadline: Day | None = None
    group: bool = False
    max_claimants: Int | None = None


class WishEditIn(ApiModel):
    household_kind: str | None = Field(default=None, max_length=20)
    beneficiary_name: str | None = Field(default=None, max_length=services.NAME_MAX)
    address: str | None = Field(default=None, max_length=services.ADDRESS_MAX)
    phone: str | None = Field(default=None, max_length=20)
    content: str | None = Field(default=None, max_length=services.CONTENT_MAX)
    value: Int | None = None
    grid_id: Id | None = None
    deadline: Day | None = None
    group: bool | None = None
    max_claimants: Int | None = None


class ReasonIn(ApiModel):
    reason: str = Required(REASON_MAX)


class AcceptIn(ApiModel):
    member_id: Id | None = None


class RefuseIn(ApiModel):
    reason: str = Required(REASON_MAX)
    member_id: Id | None = None


class FulfilIn(ApiModel):
    note: str = Required(services.NOTE_MAX)


class ConfirmIn(ApiModel):
    satisfaction: Int
    thanks: str | None = Field(default=None, max_length=services.NOTE_MAX)
    story: str | None = Field(default=None, max_length=services.NOTE_MAX)
    on_wall: bool = True


class NamedOut(Out):
    id: int
    name: str


class BeneficiaryOut(Out):
    name: str
    address: str
    phone: str


class ClaimantOut(Out):
    id: int
    name: str
    state: one_of(CLAIM_STATES)
    claimed_at: Timestamp


class MyClaimOut(Out):
    state: one_of(CLAIM_STATES)
    state_label: str
    claimed_at: Timestamp
    decided_at: Timestamp | None
    releases_left: int


class ClaimRowOut(Out):
    member_id: int
    member_name: str
    state: one_of(CLAIM_STATES)
    state_label: str
    claimed_at: Timestamp
    decided_at: Timestamp | None
    decided_by: str | None
    ended_at: Timestamp | None
    reason: str | None


class WishOut(Out):
    id: int
    status: one_of(STATUSES)
    status_label: str
    household_kind: one_of(HOUSEHOLD_KINDS)
    household_kind_label: str
    household: str
    community_id: int
    community_name: str
    grid: NamedOut | None
    content: str
    value: int
    deadline: date | None
    group: bool
    max_claimants: int
    claims_taken: int
    slots_left: int
    published_at: Timestamp | None
    claimed_by_me: bool
    fulfilled_at: Timestamp | None
    confirmed_at: Timestamp | None
    satisfaction: int | None
    # the member's own claim, for members
    my_claim: MyClaimOut | None = None
    # the household's identity, for those who may see it
    beneficiary: BeneficiaryOut | None = None
    claimants: list[ClaimantOut] | None = None
    fulfil_note: str | None = None
    thanks: str | None = None
    photo_url: str | None = None
    fulfil_photo_url: str | None = None
    # staff only
    created_at: Timestamp | None = None
    return_reason: str | None = None
    flags: list[one_of(("unclaimed", "overdue"))] | None = None
    awaiting_claims: int | None = None
    claim_history: list[ClaimRowOut] | None = None


class WallItemOut(Out):
    id: int
    household_kind_label: str
    community_name: str
    content: str
    story: str | None
    group: bool
    helpers: int
    confirmed_at: Timestamp | None


PHOTO_FORM = {"type": "object", "required": ["photo"], "properties": {
    "photo": {"type": "string", "format": "binary", "description": "JPG 或 PNG"},
    "kind": {"type": "string", "enum": list(PHOTO_KINDS), "default": "wish"}}}


def serialise_wish(wish, viewer, now=None) -> dict:
    """A wish as ``viewer`` may see it: the household anonymised unless allowed."""
    now = now or utcnow()
    body = {
        "id": wish.id, "status": wish.status, "status_label": wish.status_label,
        "household_kind": wish.household_kind, "household_kind_label": wish.kind_label,
        "household": wish.anonymous_name, "community_id": wish.community_id,
        "community_name": wish.community.name,
        "grid": {"id": wish.grid.id, "name": wish.grid.name} if wish.grid else None,
        "content": wish.content, "value": wish.value,
        "deadline": wish.deadline.isoformat() if wish.deadline else None,
        "group": wish.group, "max_claimants": wish.max_claimants,
        "claims_taken": wish.claims_taken, "slots_left": wish.slots_left,
        "published_at": isoformat(wish.published_at),
        "claimed_by_me": holds_claim(viewer, wish),
        "fulfilled_at": isoformat(wish.fulfilled_at), "confirmed_at": isoformat(wish.confirmed_at),
        "satisfaction": wish.satisfaction,
    }
    if viewer.is_member:
        mine = wish.claim_of(viewer.id)
        body["my_claim"] = None if mine is None else {
            "state": mine.state, "state_label": mine.state_label,
            "claimed_at": isoformat(mine.created_at), "decided_at": isoformat(mine.decided_at),
            "releases_left": services.releases_left(viewer, now)}
    # the household only to the staff and to a claimant the staff accepted
    if can_see_household(viewer, wish):
        body["beneficiary"] = {"name": wish.beneficiary_name, "address": wish.address,
                               "phone": wish.phone}
        body["claimants"] = [{"id": c.member_id, "name": c.member.name, "state": c.state,
                              "claimed_at": isoformat(c.created_at)} for c in wish.claims]
        body["fulfil_note"] = wish.fulfil_note
        body["thanks"] = wish.thanks
        body["photo_url"] = f"/api/v1/wishes/{wish.id}/photos/wish" if wish.photo else None
        body["fulfil_photo_url"] = (f"/api/v1/wishes/{wish.id}/photos/fulfil"
                                    if wish.fulfil_photo else None)
    if not viewer.is_member:
        body["created_at"] = isoformat(wish.created_at)
        body["return_reason"] = wish.return_reason
        body["flags"] = services.flags_of(wish, now)
        body["awaiting_claims"] = len(wish.pending_claims)
    if can_see_claim_history(viewer, wish):
        body["claim_history"] = [serialise_claim_row(c) for c in wish.claim_rows]
    return body


def serialise_claim_row(claim) -> dict:
    """One claim in the staff's history: who, when, decided by whom, ended how."""
    return {"member_id": claim.member_id, "member_name": claim.member.name,
            "state": claim.state, "state_label": claim.state_label,
            "claimed_at": isoformat(claim.created_at), "decided_at": isoformat(claim.decided_at),
            "decided_by": claim.decided_by.name if claim.decided_by else None,
            "ended_at": isoformat(claim.ended_at), "reason": claim.end_reason}


def _wish(wish_id: int):
    return services.get_wish(current_user, wish_id)


@bp.post("/wishes")
@doc("登记微心愿（网格员）", body=WishIn, status=201, errors=(403, 404, 409), response=WishOut)
@roles_required("grid_worker", "community_secretary")
def create():
    wish = services.create_wish(current_user, **parse_body(WishIn).model_dump())
    db.session.commit()
    return jsonify(serialise_wish(wish, current_user)), 201


@bp.get("/wishes")
@doc("微心愿列表：党员看本社区（scope=street 看本街道）已发布的心愿，mine=1 看本人认领的；"
     "工作人员看管辖范围，flag=unclaimed|overdue|awaiting（认领待确认）筛选；q 搜索心愿内容"
     "（工作人员还搜户主和地址），kind 困难类别，date_from/date_to 登记日期",
     query={"status": {"type": "string", "enum": list(STATUSES)},
            "scope": {"type": "string", "enum": ["street"]}, "mine": "boolean",
            "flag": {"type": "string", "enum": ["unclaimed", "overdue", "awaiting"]},
            "kind": {"type": "string", "enum": list(HOUSEHOLD_KINDS)}, **SEARCH_QUERY,
            "page": "integer", "per_page": "integer"}, errors=(400, 403),
     response=page_of(WishOut))
@login_required
def list_wishes():
    status = request.args.get("status")
    if status and status not in STATUSES:
        raise ValidationFailed(fields={"status": "取值无效"})
    stmt = services.list_wishes_stmt(
        current_user, status=status, scope=request.args.get("scope"),
        mine=request.args.get("mine") in ("1", "true"), flag=request.args.get("flag"),
        **query_filters(kind=HOUSEHOLD_KINDS))
    now = utcnow()
    return paginated(stmt, lambda wish: serialise_wish(wish, current_user, now))


@bp.get("/wishes/wall")
@doc("心愿墙：已圆梦的心愿（匿名）", auth=False,
     query={"community_id": "integer", "page": "integer", "per_page": "integer"},
     response=page_of(WallItemOut))
def wall():
    return paginated(services.list_wall_stmt(query_int("community_id")), serialise_wall_item)


def serialise_wall_item(wish) -> dict:
    """A fulfilled wish for the public wall: no names, no address."""
    return {"id": wish.id, "household_kind_label": wish.kind_label,
            "community_name": wish.community.name, "content": wish.content,
            "story": wish.story, "group": wish.group,
            "helpers": wish.claims_taken, "confirmed_at": isoformat(wish.confirmed_at)}


@bp.get("/wishes/<int:wish_id>")
@doc("微心愿详情", errors=(403, 404), response=WishOut)
@login_required
def detail(wish_id: int):
    return jsonify(serialise_wish(_wish(wish_id), current_user))


@bp.patch("/wishes/<int:wish_id>")
@doc("修改微心愿（认领前）", body=WishEditIn, errors=(403, 404, 409), response=WishOut)
@roles_required("grid_worker", "community_secretary")
def edit(wish_id: int):
    wish = _wish(wish_id)
    fields = parse_body(WishEditIn).model_dump(exclude_unset=True)
    wish = services.update_wish(current_user, wish, **fields)
    db.session.commit()
    return jsonify(serialise_wish(wish, current_user))


@bp.post("/wishes/<int:wish_id>/publish")
@doc("发布微心愿（社区书记）", errors=(403, 404, 409), response=WishOut)
@roles_required("community_secretary")
def publish(wish_id: int):
    wish = services.publish_wish(current_user, _wish(wish_id))
    db.session.commit()
    return jsonify(serialise_wish(wish, current_user))


@bp.post("/wishes/<int:wish_id>/return")
@doc("退回微心愿给网格员（须填写原因）", body=ReasonIn, errors=(403, 404, 409),
     response=WishOut)
@roles_required("community_secretary")
def return_(wish_id: int):
    wish = _wish(wish_id)
    wish = services.return_wish(current_user, wish, parse_body(ReasonIn).reason)
    db.session.commit()
    return jsonify(serialise_wish(wish, current_user))


@bp.post("/wishes/<int:wish_id>/claim")
@doc("认领微心愿：认领先占位，等待心愿所在社区的书记或网格员确认，确认后才显示受助家庭的姓名、"
     "住址和电话；已被认领时 409 wish_taken，曾被社区谢绝时 409 claim_refused",
     status=201, errors=(403, 404, 409), response=WishOut)
@roles_required("member")
def claim(wish_id: int):
    wish = _wish(wish_id)
    services.claim_wish(current_user, wish)
    db.session.commit()
    return jsonify(serialise_wish(wish, current_user)), 201


@bp.delete("/wishes/<int:wish_id>/claim")
@doc("退还认领的微心愿（圆梦前）；7 天内最多退还 WISH_RELEASE_LIMIT_PER_WEEK 次（默认 2），"
     "超过时 409 release_limit", errors=(403, 404, 409, 429), response=WishOut)
@roles_required("member")
def release(wish_id: int):
    wish = services.release_wish(current_user, _wish(wish_id))
    db.session.commit()
    return jsonify(serialise_wish(wish, current_user))


@bp.post("/wishes/<int:wish_id>/claim/accept")
@doc("确认党员的认领（心愿所在社区的书记或网格员）；确认后认领人才看到受助家庭。"
     "帮帮团有多人等待时用 member_id 指明认领人", body=AcceptIn, errors=(403, 404, 409),
     response=WishOut)
@roles_required("community_secretary", "grid_worker")
def accept_claim(wish_id: int):
    wish = _wish(wish_id)
    services.accept_wish_claim(current_user, wish, parse_body(AcceptIn).member_id)
    db.session.commit()
    return jsonify(serialise_wish(wish, current_user))


@bp.post("/wishes/<int:wish_id>/claim/refuse")
@doc("谢绝党员的认领（须填写原因，告知认领人）；心愿重新开放认领", body=RefuseIn,
     errors=(403, 404, 409), response=WishOut)
@roles_required("community_secretary", "grid_worker")
def refuse_claim(wish_id: int):
    wish = _wish(wish_id)
    data = parse_body(RefuseIn)
    services.refuse_wish_claim(current_user, wish, data.reason, data.member_id)
    db.session.commit()
    return jsonify(serialise_wish(wish, current_user))


@bp.post("/wishes/<int:wish_id>/fulfil")
@doc("标记圆梦（认领人）", body=FulfilIn, errors=(403, 404, 409), response=WishOut)
@roles_required("member")
def fulfil(wish_id: int):
    wish = _wish(wish_id)
    wish = services.fulfil_wish(current_user, wish, parse_body(FulfilIn).note)
    db.session.commit()
    return jsonify(serialise_wish(wish, current_user))


@bp.post("/wishes/<int:wish_id>/confirm")
@doc("确认圆梦并记录满意度 1–5（社区书记或网格员）", body=ConfirmIn, errors=(403, 404, 409),
     response=WishOut)
@roles_required("community_secretary", "grid_worker")
def confirm(wish_id: int):
    wish = _wish(wish_id)
    data = parse_body(ConfirmIn)
    wish = services.confirm_wish(current_user, wish, **data.model_dump())
    db.session.commit()
    return jsonify(serialise_wish(wish, current_user))


@bp.post("/wishes/<int:wish_id>/photos")
@doc("上传照片（multipart：photo 文件，kind=wish 心愿照片 / fulfil 圆梦照片；仅 JPG、PNG）",
     status=201, errors=(403, 404, 409, 413), multipart=PHOTO_FORM, response=WishOut)
@login_required
def upload_photo(wish_id: int):
    wish = _wish(wish_id)
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        raise ValidationFailed(fields={"photo": "请选择照片"})
    data = upload.stream.read(services.photos.max_bytes() + 1)
    wish = services.attach_photo(current_user, wish, data, request.form.get("kind", "wish"))
    db.session.commit()
    return jsonify(serialise_wish(wish, current_user)), 201


@bp.get("/wishes/<int:wish_id>/photos/<kind>")
@doc("查看照片（仅本社区工作人员和认领人）", errors=(403, 404), content_type="image/jpeg",
     path={"kind": {"type": "string", "enum": list(PHOTO_KINDS)}})
@login_required
def photo(wish_id: int, kind: str):
    return private_image(services.photo_for(current_user, _wish(wish_id), kind))


def private_image(path):
    """A stored photo, never cached by shared caches."""
    response = send_file(path, mimetype="image/jpeg", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
