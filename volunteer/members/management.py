"""A secretary's care of the members on the books: bulk approval of a launch-week queue,
停用 / 启用, and 转出 to another community."""

from sqlalchemy import select

from volunteer.audit.services import record_action
from volunteer.auth.models import User
from volunteer.auth.services import end_all_sessions
from volunteer.core import signals
from volunteer.core.errors import InvalidState, NotAllowed, ValidationFailed
from volunteer.core.text import required_reason
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.members.permissions import can_manage_member, can_review_member
from volunteer.members.services import approve_member
from volunteer.notifications.services import notify
from volunteer.orgs.models import Community

BULK_APPROVE_MAX = 500


def _refusal(actor, member: User | None) -> str | None:
    """Why ``member`` may not be approved in bulk by ``actor`` (None: they may)."""
    if member is None or member.role != "member":
        return "找不到该党员"
    if not can_review_member(actor, member):
        return "不是本社区的党员，不能审核"
    if not member.active:
        return "该党员已停用"
    if member.status == "approved":
        return "该党员已通过审核"
    if member.status != "pending":
        return "不是待审核的报到，请在党员页面单独处理"
    return None


def approve_members(actor, member_ids: list[int]) -> dict:
    """批量通过: approve each pending member of ``actor``'s community; every other id is
    refused with its reason, the rest still approved. The rows are locked first, so two
    secretaries approving the same queue approve (and tell) each member once."""
    if not isinstance(member_ids, list) or not member_ids:
        raise ValidationFailed(fields={"member_ids": "请选择要通过的党员"})
    if len(member_ids) > BULK_APPROVE_MAX:
        raise ValidationFailed(
            fields={"member_ids": f"一次最多通过 {BULK_APPROVE_MAX} 名党员"})
    ids = list(dict.fromkeys(member_ids))
    found = {m.id: m for m in db.session.scalars(
        select(User).where(User.id.in_(ids)).order_by(User.id)
        .with_for_update().execution_options(populate_existing=True))}
    approved, refused = [], []
    for member_id in ids:
        member = found.get(member_id)
        reason = _refusal(actor, member)
        if reason:
            refused.append({"id": member_id, "reason": reason})
        else:
            approve_member(actor, member)
            approved.append(member_id)
    return {"approved": approved, "refused": refused}


def _check_manage(actor, member: User) -> None:
    if not can_manage_member(actor, member):
        raise NotAllowed("只有党员居住社区的书记可以停用或转出党员")


def deactivate_member(actor, member: User, reason: str) -> User:
    """停用: the member can no longer log in, claim or be written to (no reports, no 集结号);
    hours and services stay where they were earned. The reason is kept and told."""
    _check_manage(actor, member)
    reason = required_reason(reason, "请填写停用原因")
    if not member.active:
        raise InvalidState("该党员已停用")
    member.active = False
    end_all_sessions(member)
    record_action(actor, "deactivate_member", member, reason=reason)
    notify(member, "member_deactivated", "您的党员账号已停用",
           f"{member.community.name}书记停用了您的账号。原因：{reason}")
    return member


def reactivate_member(actor, member: User) -> User:
    """启用: a deactivated member can log in and serve again."""
    _check_manage(actor, member)
    if member.active:
        raise InvalidState("该党员未停用")
    member.active = True
    record_action(actor, "reactivate_member", member)
    notify(member, "member_reactivated", "您的党员账号已重新启用",
           f"{member.community.name}书记重新启用了您的账号。", link="/me")
    return member


def transfer_member(actor, member: User, community_id: int, reason: str) -> User:
    """转出: the member leaves for another residential community and is pending there, for
    its secretary to approve; grid and branch (of the old community) end, the unit stays.
    Past hours stay where they were earned; claims already made stay until cancelled."""
    _check_manage(actor, member)
    reason = required_reason(reason, "请填写转出原因")
    target = db.session.get(Community, community_id) if isinstance(community_id, int) else None
    if target is None:
        raise ValidationFailed(fields={"community_id": "请选择转入的社区"})
    if target.id == member.community_id:
        raise ValidationFailed(fields={"community_id": "转入社区不能是本社区"})
    if not member.active:
        raise InvalidState("该党员已停用，请先启用再转出")
    source = member.community
    # past services stay where they were earned: the statistics place them first
    signals.member_moving.send(member, now=utcnow())
    member.community_id, member.street_id = target.id, target.street_id
    member.grid_id = member.branch_id = None
    member.status, member.reviewed_at, member.reviewed_by_id = "pending", None, None
    member.reject_reason = None
    record_action(actor, "transfer_member", member, reason=reason,
                  from_community=source.name, to_community=target.name)
    notify(member, "member_transferred", f"您已转出到{target.name}",
           f"{source.name}书记将您转出到{target.full_name}（原因：{reason}），"
           f"请等待{target.name}书记审核。", link="/me")
    for secretary in db.session.scalars(select(User).where(
            User.role == "community_secretary", User.community_id == target.id,
            User.active.is_(True))):
        notify(secretary, "member_transferred_in", f"{member.name}从{source.name}转入",
               "请在党员报到中审核。", link="/members?status=pending")
    return member
