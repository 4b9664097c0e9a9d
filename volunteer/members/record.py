"""The member's record (党员档案) a secretary opens: registration data, then hours, services,
ratings, commendations, micro-wishes and the history of what was done to the record."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from volunteer.audit.models import AuditLog
from volunteer.commendations.services import list_commendations
from volunteer.core import signals
from volunteer.core.errors import NotAllowed
from volunteer.core.i18n import N_
from volunteer.extensions import db
from volunteer.members.permissions import can_view_member_history, can_view_member_record

HISTORY_MAX = 50
# what the history says of each audited action on a member (others show their code)
HISTORY_ACTIONS = {
    "approve_member": N_("审核通过"),
    "reject_member": N_("审核退回"),
    "deactivate_member": N_("停用"),
    "reactivate_member": N_("重新启用"),
    "transfer_member": N_("转出到其他社区"),
    "move_member": N_("迁居"),
    "set_member_branch": N_("党组织变更"),
    "anonymise_member": N_("注销（个人信息已删除）"),
    "reset_password": N_("重置密码"),
    "change_member_phone": N_("更换手机号"),
    "disable_user": N_("停用账号"),
    "enable_user": N_("启用账号"),
}


def history_stmt(member):
    """Audit rows about the member, newest first."""
    return (select(AuditLog).where(AuditLog.object_type == "users",
                                   AuditLog.object_id == member.id)
            .options(joinedload(AuditLog.actor))
            .order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(HISTORY_MAX))


def member_history(member) -> list[dict]:
    """The history as lines: when, who, what, the reason or detail; 报到 last."""
    lines = [{"at": row.created_at, "actor": row.actor.name if row.actor else None,
              "action": row.action, "label": HISTORY_ACTIONS.get(row.action, row.action),
              "reason": (row.detail or {}).get("reason"),
              "detail": {k: v for k, v in (row.detail or {}).items() if k != "reason"}}
             for row in db.session.scalars(history_stmt(member))]
    lines.append({"at": member.created_at, "actor": None, "action": "register",
                  "label": N_("报到（注册）"), "reason": None, "detail": {}})
    return lines


def member_record(viewer, member, now: datetime | None = None) -> dict:
    """What ``viewer`` may see of the member's record: NotAllowed beyond their scope.

    The service part comes from the features that hold it (``signals.member_record``);
    the history only for those ``can_view_member_history`` allows."""
    if not can_view_member_record(viewer, member):
        raise NotAllowed()
    record: dict = {"commendations": list_commendations(member_id=member.id), "history": None}
    for _receiver, part in signals.member_record.send(member, now=now):
        record.update(part or {})
    if can_view_member_history(viewer, member):
        record["history"] = member_history(member)
    return record
