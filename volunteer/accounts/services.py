"""Temporary passwords set by staff or the CLI, staff turnover (换届), a member's new phone."""

import secrets

from sqlalchemy.exc import IntegrityError

from volunteer.accounts.permissions import (
    can_change_member_phone,
    can_manage_turnover,
    can_reset_password,
)
from volunteer.audit.services import record_action
from volunteer.auth.models import STAFF_ROLES, User
from volunteer.auth.permissions import mask_phone
from volunteer.auth.services import (
    PhoneTaken,
    check_name,
    check_phone,
    end_all_sessions,
    ensure_phone_free,
    get_user_by_phone,
    hash_password,
    resolve_scope,
)
from volunteer.core import throttle
from volunteer.core.errors import NotAllowed, NotFound, ValidationFailed
from volunteer.extensions import db
from volunteer.notifications.services import notify

# no 0/O, 1/l/I: a temporary password is read aloud or copied from a screen
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMPORARY_LENGTH = 10
SCOPE_COLUMNS = ("street_id", "community_id", "grid_id", "branch_id", "unit_id")


def make_temporary_password() -> str:
    """A random 10-character password of letters and digits (both present)."""
    while True:
        password = "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(TEMPORARY_LENGTH))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def _give_temporary_password(user: User) -> str:
    password = make_temporary_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    return password


def set_temporary_password(user: User) -> str:
    """Give ``user`` a new temporary password that must be changed at the next login; end
    every session and token, and forget the login lockout. Answers the password."""
    password = _give_temporary_password(user)
    end_all_sessions(user)
    throttle.clear_events("login_phone", user.phone)
    return password


def reset_password(actor: User, account: User) -> str:
    """Staff reset: the secretary of a member's community or the district admin; answers the
    temporary password, shown once."""
    if not can_reset_password(actor, account):
        raise NotAllowed("只有该党员所在社区的书记或区委组织部可以重置密码")
    password = set_temporary_password(account)
    record_action(actor, "reset_password", account)
    return password


def reset_password_from_cli(phone: str) -> tuple[User, str]:
    """``volunteer reset-password --phone P``: the account and its temporary password."""
    user = get_user_by_phone(check_phone(phone))
    if user is None:
        raise NotFound("没有使用该手机号的账号")
    password = set_temporary_password(user)
    record_action(None, "reset_password", user, via="cli")
    return user, password


def get_staff_account(user_id: int) -> User:
    """A staff account (not a member) by id, or NotFound."""
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.role == "member":
        raise NotFound("找不到该工作人员账号")
    return user


def _scope_of(user: User) -> dict:
    return {column: getattr(user, column) for column in SCOPE_COLUMNS if getattr(user, column)}


def _assign(user: User, role: str, scope: dict) -> None:
    user.role = role
    for column in SCOPE_COLUMNS:
        setattr(user, column, scope.get(column))


def change_staff_scope(actor: User, account: User, *, role: str | None,
                       scope_id: int | None) -> User:
    """换届: move a staff account to another scope (and role); the change is audited."""
    if not can_manage_turnover(actor, account):
        raise NotAllowed()
    role = role or account.role
    if role not in STAFF_ROLES:
        raise ValidationFailed(fields={"role": "角色无效"})
    scope = resolve_scope(role, scope_id)
    before = {"role": account.role, **_scope_of(account)}
    _assign(account, role, scope)
    record_action(actor, "change_staff_scope", account, before=before,
                  after={"role": role, **scope})
    return account


def hand_over_staff(actor: User, account: User, *, successor_phone: str,
                    successor_name: str | None = None,
                    successor_email: str | None = None) -> tuple[User, str | None]:
    """换届: the successor takes ``account``'s role and scope; ``account`` is disabled (its
    name stays on everything it did). An unknown phone makes a new account with a temporary
    password (answered, shown once); a known one must be another staff account."""
    if not can_manage_turnover(actor, account):
        raise NotAllowed()
    if not account.active:
        raise ValidationFailed("该账号已停用，不能再交接")
    phone = check_phone(successor_phone, "successor_phone")
    successor, password = get_user_by_phone(phone), None
    if successor is not None and (successor.id == account.id
                                  or not can_manage_turnover(actor, successor)):
        raise ValidationFailed(fields={
            "successor_phone": "该手机号已是党员或管理员账号，不能作为继任者"})
    scope = {column: getattr(account, column) for column in SCOPE_COLUMNS}
    if successor is None:
        name = check_name(successor_name or "", "successor_name")
        successor = User(name=name, phone=phone, password_hash="", role=account.role,
                         status="approved", email=(successor_email or None))
        password = _give_temporary_password(successor)
        db.session.add(successor)
    elif not successor.active:
        successor.active = True
    _assign(successor, account.role, scope)
    account.active = False
    end_all_sessions(account)
    _flush_or_phone_taken()
    record_action(actor, "hand_over_staff", account, successor_id=successor.id,
                  role=account.role, **{k: v for k, v in scope.items() if v})
    return successor, password


def _flush_or_phone_taken() -> None:
    """Flush; a phone taken meanwhile (the unique index) is PhoneTaken (the edge rolls back)."""
    try:
        db.session.flush()
    except IntegrityError:
        raise PhoneTaken() from None


def change_member_phone(actor: User, member: User, phone: str) -> User:
    """A member's new login phone, set by their community's secretary (unique; audited; the
    member is told in the inbox)."""
    if not can_change_member_phone(actor, member):
        raise NotAllowed("只有该党员所在社区的书记可以修改手机号")
    phone = check_phone(phone)
    if phone == member.phone:
        raise ValidationFailed(fields={"phone": "新手机号与原手机号相同"})
    ensure_phone_free(phone)
    old = member.phone
    member.phone = phone
    _flush_or_phone_taken()
    throttle.clear_events("login_phone", old)
    record_action(actor, "change_member_phone", member, before=mask_phone(old),
                  after=mask_phone(phone))
    notify(member, "member_phone_changed", "登录手机号已更改",
           f"社区书记已将您的登录手机号改为 {mask_phone(phone)}，请用新手机号登录。"
           "如非您本人要求，请尽快联系社区。")
    return member
