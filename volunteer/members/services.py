"""报到 registration, 亮身份 approval and rejection, member listings."""

import re
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from volunteer.audit.services import record_action
from volunteer.auth.models import User
from volunteer.auth.services import (
    PhoneTaken,
    check_name,
    check_password,
    check_phone,
    hash_password,
)
from volunteer.consents.services import check_consents, record_consents
from volunteer.core import signals, throttle
from volunteer.core.errors import (
    InvalidState,
    NotAllowed,
    NotFound,
    TooManyAttempts,
    ValidationFailed,
)
from volunteer.core.skills import clean_skills
from volunteer.core.text import required_reason
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.members.models import INDUSTRIES, MemberSkill
from volunteer.members.permissions import (
    can_list_members,
    can_move_self,
    can_review_member,
    can_search_by_phone,
    can_set_member_branch,
    can_view_member,
)
from volunteer.notifications.services import notify
from volunteer.orgs.models import MEMBER_BRANCH_LEVELS, Branch, Community, Grid, Street, Unit
from volunteer.orgs.services import branch_subtree_ids

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
REGISTER_BUCKET = "register_ip"
EMAIL_MAX = 120


def count_registration_attempt(ip: str) -> None:
    """Count one 报到 attempt from ``ip``, or TooManyAttempts when the IP has used up its
    attempts in the window: the 409 phone_taken would otherwise tell anyone, phone by phone,
    who has an account. The caller commits before registering, so every attempt counts."""
    cfg = current_app.config
    window = timedelta(minutes=cfg["REGISTER_WINDOW_MINUTES"])
    if throttle.take([(REGISTER_BUCKET, ip or "unknown", cfg["REGISTER_MAX_PER_IP"])],
                     window) is None:
        raise TooManyAttempts("报到提交过于频繁，请稍后再试")


def check_registration(*, name, phone, password, unit_id, community_id, grid_id=None,
                       skills=None, industry=None, email=None, privacy_consent=False,
                       branch_id=None) -> tuple:
    """报到's fields checked one by one, writing nothing: the clean values, unit, community,
    grid, branch and skill tags, or one ValidationFailed naming every bad field, a phone
    already registered among them."""
    errors: dict[str, str] = {}
    values: dict = {}
    for field, check, raw in (("name", check_name, name), ("phone", check_phone, phone)):
        try:
            values[field] = check(raw, field)
        except ValidationFailed as error:
            errors.update(error.fields)
    try:
        values["password"] = check_password(password, "password", phone=values.get("phone"))
    except ValidationFailed as error:
        errors.update(error.fields)
    unit = db.session.get(Unit, unit_id) if isinstance(unit_id, int) else None
    if unit is None:
        errors["unit_id"] = "请选择工作单位"
    community = db.session.get(Community, community_id) if isinstance(community_id, int) else None
    if community is None:
        errors["community_id"] = "请选择居住社区"
    grid = None
    if grid_id is not None:
        grid = db.session.get(Grid, grid_id) if isinstance(grid_id, int) else None
        if grid is None or (community is not None and grid.community_id != community.id):
            errors["grid_id"] = "所选网格不属于该社区"
    branch = None
    if branch_id is not None:
        branch = db.session.get(Branch, branch_id) if isinstance(branch_id, int) else None
        problem = _branch_problem(branch, community.id if community else None)
        if problem and community is not None:
            errors["branch_id"] = problem
    if industry and industry not in INDUSTRIES:
        errors["industry"] = "行业无效"
    if email and (len(email) > EMAIL_MAX or not EMAIL_RE.match(email)):
        errors["email"] = "邮箱格式不正确"
    try:
        tags = clean_skills(skills)
    except ValidationFailed as error:
        errors.update(error.fields)
    check_consents(errors, privacy_consent=privacy_consent)
    if "phone" not in errors and db.session.scalar(
            select(User.id).where(User.phone == values["phone"])) is not None:
        errors["phone"] = PhoneTaken.message
    if errors:
        raise ValidationFailed(fields=errors)
    return values, unit, community, grid, branch, tags


def register_member(*, name: str, phone: str, password: str, unit_id: int, community_id: int,
                    grid_id: int | None = None, skills=None, industry: str | None = None,
                    email: str | None = None, privacy_consent: bool = False,
                    branch_id: int | None = None) -> User:
    """报到: a pending member of a residential community, working at a unit, optionally in one
    of the community's 支部 or 小组.

    The member must consent to the privacy notice; the consent is recorded with its version."""
    try:
        values, unit, community, grid, branch, tags = check_registration(
            name=name, phone=phone, password=password, unit_id=unit_id,
            community_id=community_id, grid_id=grid_id, skills=skills, industry=industry,
            email=email, privacy_consent=privacy_consent, branch_id=branch_id)
    except ValidationFailed as error:
        if error.fields == {"phone": PhoneTaken.message}:
            raise PhoneTaken() from None  # alone, a taken phone is the API's 409 phone_taken
        raise
    member = User(name=values["name"], phone=values["phone"],
                  password_hash=hash_password(values["password"]), role="member",
                  status="pending", unit_id=unit.id, community_id=community.id,
                  street_id=community.street_id, grid_id=grid.id if grid else None,
                  branch_id=branch.id if branch else None,
                  industry=industry or None, email=email or None)
    member.skills = [MemberSkill(tag=tag) for tag in tags]
    try:
        with db.session.begin_nested():
            db.session.add(member)
            db.session.flush()
    except IntegrityError:
        raise PhoneTaken() from None
    record_consents(user=member)
    return member


def get_member(viewer, member_id: int) -> User:
    """A member ``viewer`` may see: NotFound for unknown ids, NotAllowed outside the scope."""
    member = db.session.get(User, member_id) if isinstance(member_id, int) else None
    if member is None or member.role != "member":
        raise NotFound("找不到该党员")
    if not can_view_member(viewer, member):
        raise NotAllowed()
    return member


def approve_member(actor, member: User) -> User:
    """亮身份: the community secretary approves a pending (or earlier rejected) member."""
    if not can_review_member(actor, member):
        raise NotAllowed("只有党员居住社区的书记可以审核")
    if member.status == "approved":
        raise InvalidState("该党员已通过审核")
    if not member.active:
        raise InvalidState("该党员已停用，请先启用")
    member.status = "approved"
    member.reject_reason = None
    member.reviewed_at = utcnow()
    member.reviewed_by_id = actor.id
    record_action(actor, "approve_member", member)
    notify(member, "member_approved", "报到审核已通过",
           f"您已在{member.community.name}完成报到，可以认领社区服务项目了。", link="/me")
    return member


def reject_member(actor, member: User, reason: str) -> User:
    """The community secretary rejects a pending member, with a reason the member sees."""
    if not can_review_member(actor, member):
        raise NotAllowed("只有党员居住社区的书记可以审核")
    reason = required_reason(reason, "请填写不通过的原因")
    if member.status != "pending":
        raise InvalidState("只能审核待审核的报到")
    member.status = "rejected"
    member.reject_reason = reason
    member.reviewed_at = utcnow()
    member.reviewed_by_id = actor.id
    record_action(actor, "reject_member", member, reason=reason)
    notify(member, "member_rejected", "报到审核未通过", f"原因：{reason}", link="/me")
    return member


def update_profile(member: User, *, skills=None, industry: str | None = None,
                   email: str | None = None, grid_id: int | None = None) -> User:
    """A member edits their own expertise, industry, e-mail and grid."""
    if industry and industry not in INDUSTRIES:
        raise ValidationFailed(fields={"industry": "行业无效"})
    if email and (len(email) > EMAIL_MAX or not EMAIL_RE.match(email)):
        raise ValidationFailed(fields={"email": "邮箱格式不正确"})
    if grid_id is not None:
        grid = db.session.get(Grid, grid_id)
        if grid is None or grid.community_id != member.community_id:
            raise ValidationFailed(fields={"grid_id": "所选网格不属于您的社区"})
    tags = clean_skills(skills)
    member.skills = [MemberSkill(tag=tag) for tag in tags]
    member.industry = industry or None
    member.email = email or None
    if member.grid_id != grid_id:
        signals.member_moving.send(member, now=utcnow())
        member.grid_id = grid_id
    return member


MEMBER_FILTER_STATUSES = ("pending", "approved", "rejected", "deactivated")
def _branch_problem(branch: Branch | None, community_id: int | None) -> str | None:
    """Why a member of ``community_id`` cannot be placed in ``branch``, or None."""
    if branch is None:
        return "所选党组织不存在"
    if branch.community_id != community_id:
        return "所选党组织不属于该党员的居住社区"
    if branch.level not in MEMBER_BRANCH_LEVELS:
        return "党员只能编入功能型党支部或党小组，不能直接编入党总支"
    return None


def set_member_branch(actor, member: User, branch: Branch | None) -> User:
    """Place a member in a 功能型党支部 or 党小组 of their community, or (``None``) take them
    out: a member belongs to one such organisation at most. Their figures for services from
    now on count for the new organisation."""
    if not can_set_member_branch(actor, member):
        raise NotAllowed("只有党员居住社区的书记可以编排党员的党组织")
    if member.anonymised_at is not None:
        raise InvalidState("该账号已注销")
    if branch is not None:
        problem = _branch_problem(branch, member.community_id)
        if problem:
            raise ValidationFailed(fields={"branch_id": problem})
    old = member.branch
    if (old.id if old else None) == (branch.id if branch else None):
        return member
    # past services stay with the old branch: the statistics place them first
    signals.member_moving.send(member, now=utcnow())
    member.branch_id = branch.id if branch else None
    member.branch = branch
    db.session.flush()
    record_action(actor, "set_member_branch", member, branch_id=member.branch_id,
                  branch=branch.name if branch else None, old_branch_id=old.id if old else None,
                  old_branch=old.name if old else None)
    if branch is not None:
        notify(member, "member_branch", f"您已编入{branch.name}",
               f"社区书记已将您编入{branch.community.name}{branch.name}（{branch.level_label}）。",
               link="/me")
    else:
        notify(member, "member_branch", f"您已不再属于{old.name}",
               "社区书记已将您移出该党组织，如有疑问请联系社区。", link="/me")
    return member


def _place(model, value, field: str, missing: str, errors: dict):
    """The organisation ``value`` names (None when not given); a missing one is an error."""
    if value is None:
        return None
    found = db.session.get(model, value) if isinstance(value, int) \
        and not isinstance(value, bool) else None
    if found is None:
        errors[field] = missing
    return found


def move_member(member: User, *, community_id: int | None = None, grid_id: int | None = None,
                unit_id: int | None = None, now=None) -> User:
    """搬家 / 更换单位: a member changes their residential community, grid or work unit.

    A new community makes the member pending there, to be approved by its secretary as at
    报到; their branch (党组织) of the old community ends, their grid is the one given (of the
    new community) or none; claims already made stay until the member cancels them; both
    communities' secretaries are told. A grid or unit change alone keeps the status. Past
    services stay where they were earned: the statistics place them before the change
    (``core.signals.member_moving``).
    """
    if not can_move_self(member):
        raise NotAllowed("只有党员本人可以办理搬家或更换单位")
    errors: dict[str, str] = {}
    community = _place(Community, community_id, "community_id", "找不到该社区", errors)
    grid = _place(Grid, grid_id, "grid_id", "找不到该网格", errors)
    unit = _place(Unit, unit_id, "unit_id", "找不到该单位", errors)
    target = community or member.community
    if grid is not None and target is not None and grid.community_id != target.id:
        errors["grid_id"] = "所选网格不属于该社区"
    if errors:
        raise ValidationFailed(fields=errors)
    old_community = member.community
    moves_house = community is not None and community.id != member.community_id
    new_grid = grid.id if grid is not None else (None if moves_house else member.grid_id)
    new_unit = unit.id if unit is not None else member.unit_id
    if not moves_house and new_grid == member.grid_id and new_unit == member.unit_id:
        raise ValidationFailed("没有需要变更的内容：请选择新的社区、网格或工作单位",
                               code="nothing_changed")
    now = now or utcnow()
    before = {"community_id": member.community_id, "grid_id": member.grid_id,
              "unit_id": member.unit_id, "branch_id": member.branch_id}
    signals.member_moving.send(member, now=now)
    member.grid_id, member.unit_id = new_grid, new_unit
    if moves_house:
        member.community_id, member.street_id = community.id, community.street_id
        member.branch_id = None
        member.status, member.reject_reason = "pending", None
        member.reviewed_at = member.reviewed_by_id = None
    db.session.flush()
    record_action(member, "move_member", member, before=before,
                  after={"community_id": member.community_id, "grid_id": member.grid_id,
                         "unit_id": member.unit_id, "branch_id": member.branch_id})
    if moves_house:
        _tell_secretaries(member, old_community, community)
    return member


def _tell_secretaries(member: User, old: Community | None, new: Community) -> None:
    """Both communities' secretaries hear of a move: the new one has an approval waiting."""
    for secretary in db.session.scalars(select(User).where(
            User.role == "community_secretary", User.active.is_(True),
            User.community_id.in_([c.id for c in (old, new) if c is not None]))):
        if secretary.community_id == new.id:
            notify(secretary, "member_moved_in", f"{member.name}搬入本社区，待审核",
                   f"{member.name}从{old.name if old else '其他社区'}搬入{new.name}，"
                   "请核实后在党员审核中通过。", link=f"/members/{member.id}")
        else:
            notify(secretary, "member_moved_out", f"{member.name}已搬离本社区",
                   f"{member.name}已搬到{new.name}。已认领的服务项目保留，直至本人取消；"
                   "过去的服务时长仍计入本社区。", link="/members?status=all")


def list_members_stmt(viewer, *, status: str | None = None, q: str | None = None,
                      community_id: int | None = None, grid_id: int | None = None,
                      unit_id: int | None = None, branch_id: int | None = None,
                      skill: str | None = None):
    """The members ``viewer``'s scope holds, filtered. ``status`` is one of
    ``MEMBER_FILTER_STATUSES``: ``deactivated`` lists the 停用 members, the others the active
    members in that review state. The pending queue is first come, first served (oldest
    first); every other list shows the newest registrations first."""
    if not can_list_members(viewer):
        raise NotAllowed()
    # lists show each member's unit, community, grid and skills: load them with the page
    stmt = select(User).where(User.role == "member").options(
        joinedload(User.unit), joinedload(User.community), joinedload(User.grid),
        selectinload(User.skills))
    if viewer.role in ("community_secretary", "grid_worker"):
        stmt = stmt.where(User.community_id == viewer.community_id)
    elif viewer.role == "street_reviewer":
        stmt = stmt.join(Community, User.community_id == Community.id).join(Street).where(
            Street.id == viewer.street_id)
    elif viewer.role == "branch_secretary":
        stmt = stmt.where(User.branch_id.in_(branch_subtree_ids(viewer.branch_id)))
    elif viewer.role == "unit_contact":
        stmt = stmt.where(User.unit_id == viewer.unit_id)
    for column, value in ((User.community_id, community_id), (User.grid_id, grid_id),
                          (User.unit_id, unit_id), (User.branch_id, branch_id)):
        if value:
            stmt = stmt.where(column == value)
    if skill:
        stmt = stmt.where(User.skills.any(MemberSkill.tag == skill))
    if status == "deactivated":
        stmt = stmt.where(User.active.is_(False))
    elif status:
        stmt = stmt.where(User.status == status, User.active.is_(True))
    if q:
        # only those who may see whole phones may search by phone
        if can_search_by_phone(viewer):
            stmt = stmt.where(User.name.contains(q) | User.phone.contains(q))
        else:
            stmt = stmt.where(User.name.contains(q))
    if status == "pending":
        return stmt.order_by(User.created_at, User.id)
    return stmt.order_by(User.id.desc())


FILTER_UNITS_MAX = 300


def member_filter_choices(viewer) -> dict:
    """The grids, branches and units the member list's filters offer ``viewer``: the grids
    and branches of a community-level viewer's community, and the units of the members in
    the viewer's scope (at most ``FILTER_UNITS_MAX``, by name)."""
    choices: dict = {"grids": [], "branches": [], "units": []}
    if viewer.community_id:
        choices["grids"] = list(db.session.scalars(select(Grid).where(
            Grid.community_id == viewer.community_id).order_by(Grid.name)))
        choices["branches"] = list(db.session.scalars(select(Branch).where(
            Branch.community_id == viewer.community_id).order_by(Branch.name)))
    units = list_members_stmt(viewer).with_only_columns(User.unit_id).order_by(None)
    choices["units"] = list(db.session.scalars(
        select(Unit).where(Unit.id.in_(units)).order_by(Unit.name).limit(FILTER_UNITS_MAX)))
    return choices
