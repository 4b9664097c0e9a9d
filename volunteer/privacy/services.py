"""个人信息保护 (PIPL): consents, retention, deletion at a member's request, the audit floor.

Retention keeps the service record and clears who it was for: a closed request loses the
resident's name, phone and address, a closed wish its household's name, address, phone and
photos, after the months the settings give. A deleted account keeps its claims, hours,
community and unit (so past figures do not change) under the name 已注销党员.
"""

import secrets
from calendar import monthrange
from datetime import datetime

from flask import current_app
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from volunteer.audit.models import AuditLog
from volunteer.audit.services import record_action
from volunteer.auth.models import User
from volunteer.auth.services import end_all_sessions
from volunteer.core.errors import InvalidState, NotAllowed, NotFound
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.members.models import MemberSkill
from volunteer.notifications.models import EmailOptOut, Notification
from volunteer.notifications.services import notify
from volunteer.privacy.models import DeletionRequest
from volunteer.privacy.permissions import (
    can_handle_deletion_request,
    can_list_deletion_requests,
    can_request_deletion,
)
from volunteer.requests.models import ServiceRequest
from volunteer.wishes.models import Wish
from volunteer.wishes.photos import delete_photo

ANONYMISED = "已匿名"
DELETED_MEMBER_NAME = "已注销党员"
# a deleted account's phone: unique, 11 characters, never a mobile number nor a login
DELETED_PHONE_PREFIX = "D"
AUDIT_FLOOR_MONTHS = 6  # the audit log is never purged younger than this, whatever the setting
CLOSED_REQUEST_STATUSES = ("rejected", "completed", "converted")
CLOSED_WISH_STATUSES = ("fulfilled", "confirmed")
RETENTION_DEFAULTS = {"REQUEST_CONTACT_RETENTION_MONTHS": 6,
                      "WISH_HOUSEHOLD_RETENTION_MONTHS": 12,
                      "AUDIT_RETENTION_MONTHS": 24}


# ---------------------------------------------------------------- retention


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (clipped to the month's end)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def retention_months(name: str) -> int:
    """A retention setting in months (at least 1; the audit log at least AUDIT_FLOOR_MONTHS)."""
    value = int(current_app.config.get(name, RETENTION_DEFAULTS[name]))
    floor = AUDIT_FLOOR_MONTHS if name == "AUDIT_RETENTION_MONTHS" else 1
    return max(floor, value)


def _request_closed_at():
    return case(
        (ServiceRequest.status == "rejected", ServiceRequest.rejected_at),
        (ServiceRequest.status == "converted", ServiceRequest.converted_at),
        else_=func.coalesce(ServiceRequest.rated_at, ServiceRequest.completed_at),
    )


def _expired_requests(now: datetime):
    cutoff = months_before(now, retention_months("REQUEST_CONTACT_RETENTION_MONTHS"))
    return (ServiceRequest.status.in_(CLOSED_REQUEST_STATUSES),
            ServiceRequest.anonymised_at.is_(None),
            func.coalesce(_request_closed_at(), ServiceRequest.created_at) < cutoff)


def anonymise_closed_requests(now: datetime | None = None, *, dry_run: bool = False) -> int:
    """Clear the resident's name, phone and address on requests closed longer than the limit."""
    now = now or utcnow()
    where = _expired_requests(now)
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(ServiceRequest).where(*where))
    result = db.session.execute(
        update(ServiceRequest).where(*where)
        .values(name=ANONYMISED, phone="", address=ANONYMISED, anonymised_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount


def anonymise_closed_wishes(now: datetime | None = None, *, dry_run: bool = False) -> int:
    """Clear the household's name, address, phone and photos on wishes closed past the limit.

    The wish itself (what was wished, who fulfilled it, the satisfaction) stays."""
    now = now or utcnow()
    cutoff = months_before(now, retention_months("WISH_HOUSEHOLD_RETENTION_MONTHS"))
    closed_at = func.coalesce(Wish.confirmed_at, Wish.fulfilled_at, Wish.updated_at)
    where = (Wish.status.in_(CLOSED_WISH_STATUSES), Wish.anonymised_at.is_(None),
             closed_at < cutoff)
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(Wish).where(*where))
    rows = db.session.execute(select(Wish.id, Wish.photo, Wish.fulfil_photo).where(*where)).all()
    if not rows:
        return 0
    ids = [row.id for row in rows]
    for start in range(0, len(ids), 500):
        db.session.execute(
            update(Wish).where(Wish.id.in_(ids[start:start + 500]))
            .values(beneficiary_name=ANONYMISED, address=ANONYMISED, phone="", photo=None,
                    fulfil_photo=None, anonymised_at=now, updated_at=Wish.updated_at)
            .execution_options(synchronize_session=False))
    for row in rows:
        delete_photo(row.photo)
        delete_photo(row.fulfil_photo)
    return len(ids)


def purge_audit_log(now: datetime | None = None, *, dry_run: bool = False) -> int:
    """Delete audit rows older than AUDIT_RETENTION_MONTHS (never younger than the floor)."""
    now = now or utcnow()
    cutoff = months_before(now, retention_months("AUDIT_RETENTION_MONTHS"))
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(AuditLog)
                                 .where(AuditLog.created_at < cutoff))
    return db.session.execute(delete(AuditLog).where(AuditLog.created_at < cutoff)
                              .execution_options(synchronize_session=False)).rowcount


def purge_personal_data(now: datetime | None = None, *, dry_run: bool = False) -> dict:
    """The nightly retention job: requests' contacts, wishes' households, the old audit log."""
    now = now or utcnow()
    return {"requests_anonymised": anonymise_closed_requests(now, dry_run=dry_run),
            "wishes_anonymised": anonymise_closed_wishes(now, dry_run=dry_run),
            "audit_rows_purged": purge_audit_log(now, dry_run=dry_run)}


# ---------------------------------------------------------------- deletion at a member's request


def request_deletion(member: User, now: datetime | None = None) -> DeletionRequest:
    """A member asks for their account to be deleted; their community secretary is told.

    Asking again while a request is pending answers the pending one."""
    if not can_request_deletion(member):
        raise NotAllowed("只有党员本人可以申请注销账号")
    pending = pending_deletion(member)
    if pending is not None:
        return pending
    row = DeletionRequest(member_id=member.id, status="pending", requested_at=now or utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:  # pressed twice at once: the other press made it
        return pending_deletion(member)
    record_action(member, "request_deletion", row)
    secretaries = db.session.scalars(select(User).where(
        User.role == "community_secretary", User.community_id == member.community_id,
        User.active.is_(True)))
    for secretary in secretaries:
        notify(secretary, "privacy_deletion_request", "党员申请注销账号",
               f"{member.name}申请注销账号并删除个人信息，请在“注销申请”中处理。",
               link="/members/deletion-requests")
    return row


def pending_deletion(member: User) -> DeletionRequest | None:
    """The member's deletion request awaiting their secretary, if any."""
    return db.session.scalar(select(DeletionRequest).where(
        DeletionRequest.member_id == member.id, DeletionRequest.status == "pending"))


def list_deletion_requests_stmt(viewer, status: str | None = "pending"):
    """The deletion requests ``viewer`` handles: their community's, or all for the district."""
    if not can_list_deletion_requests(viewer):
        raise NotAllowed()
    stmt = select(DeletionRequest).order_by(DeletionRequest.id)
    if viewer.role == "community_secretary":
        stmt = stmt.join(User, DeletionRequest.member_id == User.id).where(
            User.community_id == viewer.community_id)
    if status:
        stmt = stmt.where(DeletionRequest.status == status)
    return stmt


def count_pending_deletions(viewer) -> int:
    """How many deletion requests wait for ``viewer`` (0 for those who handle none)."""
    if not can_list_deletion_requests(viewer):
        return 0
    stmt = list_deletion_requests_stmt(viewer).with_only_columns(func.count()).order_by(None)
    return db.session.scalar(stmt) or 0


def get_deletion_request(viewer, deletion_id: int) -> DeletionRequest:
    """A deletion request ``viewer`` may handle: NotFound, or NotAllowed outside their scope."""
    row = db.session.get(DeletionRequest, deletion_id) if isinstance(deletion_id, int) else None
    if row is None:
        raise NotFound("找不到该注销申请")
    if not can_handle_deletion_request(viewer, row):
        raise NotAllowed("只有党员居住社区的书记可以处理注销申请")
    return row


def complete_deletion(actor: User, deletion: DeletionRequest,
                      now: datetime | None = None) -> DeletionRequest:
    """The secretary deletes the account: deactivated and anonymised, service records kept."""
    if not can_handle_deletion_request(actor, deletion):
        raise NotAllowed("只有党员居住社区的书记可以处理注销申请")
    if deletion.status != "pending":
        raise InvalidState("该注销申请已处理")
    now = now or utcnow()
    anonymise_member(deletion.member, now)
    deletion.status = "done"
    deletion.handled_at = now
    deletion.handled_by_id = actor.id
    record_action(actor, "anonymise_member", deletion.member, deletion_request_id=deletion.id)
    return deletion


def anonymise_member(member: User, now: datetime | None = None) -> User:
    """Clear who the member was; keep the account row, so claims and hours stay counted.

    Name, phone, e-mail, skills, industry and password go; the inbox and e-mail choices are
    deleted; every session and token ends. Community, unit, grid, branch and status stay:
    hours stay where they were earned, and past figures do not change."""
    member.name = DELETED_MEMBER_NAME
    member.phone = f"{DELETED_PHONE_PREFIX}{member.id:010d}"
    member.email = None
    member.industry = None
    member.reject_reason = None
    member.password_hash = "!" + secrets.token_hex(16)  # not an argon2 hash: no login
    member.active = False
    member.anonymised_at = now or utcnow()
    db.session.execute(delete(MemberSkill).where(MemberSkill.user_id == member.id))
    db.session.execute(delete(Notification).where(Notification.user_id == member.id))
    db.session.execute(delete(EmailOptOut).where(EmailOptOut.user_id == member.id))
    db.session.expire(member, ["skills"])
    end_all_sessions(member)
    return member
