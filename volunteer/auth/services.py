"""Passwords, login, sessions, API tokens and staff accounts."""

import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import bindparam, delete, select, update

from volunteer.audit.services import record_action
from volunteer.auth.models import ROLE_SCOPE, STAFF_ROLES, ApiToken, User, WebSession
from volunteer.auth.permissions import can_manage_staff
from volunteer.core import throttle
from volunteer.core.errors import (
    Conflict,
    DomainError,
    NotAllowed,
    NotFound,
    TooManyAttempts,
    ValidationFailed,
)
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.orgs.models import Branch, Community, Grid, Street, Unit

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
NAME_MAX = 30
PASSWORD_MIN = 8
PASSWORD_MAX = 128
LOCKOUT_MESSAGE = ("登录失败次数过多，请 15 分钟后再试。忘记密码可点“忘记密码”用验证码重置，"
                   "或请您的社区书记（工作人员请联系区委组织部）重置密码。")


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status = 401
    message = "手机号或密码不正确"


class PhoneTaken(Conflict):
    code = "phone_taken"
    message = "该手机号已注册"


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["PASSWORD_TIME_COST"],
                          memory_cost=cfg["PASSWORD_MEMORY_COST"],
                          parallelism=cfg["PASSWORD_PARALLELISM"])


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher().hash(password)


def check_phone(phone: str, field: str = "phone") -> str:
    """A mainland mobile number, or ValidationFailed."""
    phone = (phone or "").strip()
    if not PHONE_RE.match(phone):
        raise ValidationFailed(fields={field: "请输入 11 位手机号"})
    return phone


def check_name(name: str, field: str = "name") -> str:
    """A person's name: 1–30 characters."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(fields={field: "必填"})
    if len(name) > NAME_MAX:
        raise ValidationFailed(fields={field: f"不能超过 {NAME_MAX} 个字符"})
    return name


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of the most common passwords (``common_passwords.txt``), lower-cased."""
    text = (Path(__file__).with_name("common_passwords.txt")).read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _is_sequence(password: str) -> bool:
    """``abcdefgh``, ``87654321``: each character one code point after (or before) the last."""
    steps = {ord(b) - ord(a) for a, b in zip(password, password[1:], strict=False)}
    return steps in ({1}, {-1})


def check_password(password: str, field: str = "password", *, phone: str | None = None) -> str:
    """8–128 characters, not only digits, not a common or trivial password, not the phone."""
    if not password or len(password) < PASSWORD_MIN:
        raise ValidationFailed(fields={field: f"密码至少 {PASSWORD_MIN} 位"})
    if len(password) > PASSWORD_MAX:
        raise ValidationFailed(fields={field: f"密码不能超过 {PASSWORD_MAX} 位"})
    if password.isdigit():
        raise ValidationFailed(fields={field: "密码不能全是数字，请加入字母或符号"})
    if len(set(password)) == 1 or _is_sequence(password) \
            or password.lower() in common_passwords():
        raise ValidationFailed(fields={field: "该密码过于常见，容易被猜中，请换一个"})
    if phone and phone.strip() and phone.strip() in password:
        raise ValidationFailed(fields={field: "密码不能包含手机号"})
    return password


def ensure_phone_free(phone: str) -> None:
    """Raise PhoneTaken when an account already uses ``phone``."""
    if db.session.scalar(select(User.id).where(User.phone == phone)) is not None:
        raise PhoneTaken()


def get_user_by_phone(phone: str) -> User | None:
    return db.session.scalar(select(User).where(User.phone == phone))


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])


@dataclass(frozen=True)
class LoginAttempt:
    """A login counted against the throttle before its password is checked."""

    phone: str
    user_id: int | None  # None: no active account has this phone
    password_hash: str | None
    ip_event_ids: tuple[int, ...]  # forgotten again when the password is right


def begin_login(phone: str, ip: str) -> LoginAttempt:
    """Count one login attempt per phone and per IP, or TooManyAttempts when either is used up.

    The count and the record are one locked step (``throttle.take``), so a burst cannot pass
    more attempts than the limit. The caller commits before ``finish_login``: the attempt then
    counts while the password is checked, and the slow argon2 work runs outside any
    transaction (on SQLite an open transaction holds the database's write lock).
    """
    cfg = current_app.config
    phone = (phone or "").strip()[:128]
    ip = (ip or "unknown")[:128]
    events = throttle.take([("login_phone", phone, cfg["LOGIN_MAX_FAILURES_PER_PHONE"]),
                            ("login_ip", ip, cfg["LOGIN_MAX_FAILURES_PER_IP"])], _window())
    if events is None:
        raise TooManyAttempts(LOCKOUT_MESSAGE)
    row = None
    if PHONE_RE.match(phone):
        row = db.session.execute(select(User.id, User.password_hash, User.active)
                                 .where(User.phone == phone)).first()
    found = row is not None and row.active
    return LoginAttempt(phone=phone, user_id=row.id if found else None,
                        password_hash=row.password_hash if found else None,
                        ip_event_ids=tuple(e.id for e in events if e.bucket == "login_ip"))


_dummy_hashes: dict[tuple, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of nothing anyone knows, with the current parameters: an unknown phone's login
    verifies against it, so it takes as long as a known phone's (no user enumeration)."""
    params = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if params not in _dummy_hashes:
        _dummy_hashes[params] = hasher.hash(secrets.token_urlsafe(16))
    return _dummy_hashes[params]


def finish_login(attempt: LoginAttempt, password: str) -> User:
    """Check the password of a begun login and rehash a stale hash; InvalidCredentials leaves
    the attempt counted as a failure (nothing to write)."""
    hasher = _hasher()
    stored = attempt.password_hash or _dummy_hash(hasher)
    try:
        hasher.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        raise InvalidCredentials() from None
    if attempt.password_hash is None:
        raise InvalidCredentials()
    new_hash = hasher.hash(password) if hasher.check_needs_rehash(stored) else None
    # the transaction starts here, after the hashing
    user = db.session.get(User, attempt.user_id)
    if user is None or not user.active or user.password_hash != stored:
        raise InvalidCredentials()  # disabled or given a new password meanwhile
    if new_hash:
        user.password_hash = new_hash
    throttle.clear_events("login_phone", attempt.phone)
    throttle.forget_events(attempt.ip_event_ids)
    user.last_login_at = utcnow()
    return user


def change_password(user: User, old_password: str, new_password: str) -> None:
    """Replace the password and end every other session and token."""
    try:
        _hasher().verify(user.password_hash, old_password or "")
    except (VerificationError, InvalidHashError):
        raise ValidationFailed(fields={"old_password": "原密码不正确"}) from None
    check_password(new_password, "new_password", phone=user.phone)
    if hmac.compare_digest(new_password.encode(), (old_password or "").encode()):
        raise ValidationFailed(fields={"new_password": "新密码不能与原密码相同"})
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    end_all_sessions(user)


def end_all_sessions(user: User) -> None:
    """Log out everywhere: bump the session version, end every web session, revoke every token."""
    now = utcnow()
    user.session_version += 1
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                              ApiToken.revoked_at.is_(None))
                       .values(revoked_at=now))
    db.session.execute(update(WebSession).where(WebSession.user_id == user.id,
                                                WebSession.ended_at.is_(None))
                       .values(ended_at=now).execution_options(synchronize_session=False))


# ---------------------------------------------------------------- web sessions

# the key of the Flask session (the signed cookie) that carries the web session's id
WEB_SESSION_KEY = "web_session"
# last_seen_at is written at most this often per session, not on every request
SESSION_TOUCH_INTERVAL = timedelta(minutes=5)


def session_idle_limit(user: User) -> timedelta:
    """How long a browser session of ``user`` may sit unused before it ends."""
    cfg = current_app.config
    if user.is_member:
        return timedelta(days=cfg["SESSION_IDLE_DAYS_MEMBER"])
    return timedelta(hours=cfg["SESSION_IDLE_HOURS_STAFF"])


def start_web_session(user: User) -> WebSession:
    """A new server-side session for one browser; its id goes into the signed cookie."""
    row = WebSession(id=secrets.token_urlsafe(32), user_id=user.id)
    db.session.add(row)
    db.session.flush()
    return row


def end_web_session(session_id: str | None) -> None:
    """Logout: end one browser's session (a copied cookie stops working too)."""
    if not isinstance(session_id, str) or not session_id:
        return
    db.session.execute(update(WebSession).where(WebSession.id == session_id,
                                                WebSession.ended_at.is_(None))
                       .values(ended_at=utcnow()).execution_options(synchronize_session=False))


_SESSION_AND_USER = (
    select(User, WebSession.last_seen_at, WebSession.ended_at)
    .join(WebSession, WebSession.user_id == User.id)
    .where(WebSession.id == bindparam("session_id"), User.id == bindparam("user_id")))


def resolve_web_session(user_id: int, version: int, session_id,
                        now=None) -> tuple[User, bool] | None:
    """The user of a live browser session and whether ``last_seen_at`` was refreshed (the
    caller then commits), or None: ended, idle too long, account disabled, logged out
    everywhere. ``last_seen_at`` is written only when older than the touch interval."""
    if not isinstance(session_id, str) or not session_id or len(session_id) > 64:
        return None
    row = db.session.execute(_SESSION_AND_USER,
                             {"session_id": session_id, "user_id": user_id}).first()
    if row is None:
        return None
    user, now = row.User, now or utcnow()
    if (row.ended_at is not None or not user.active or user.session_version != version
            or row.last_seen_at + session_idle_limit(user) <= now):
        return None
    if now - row.last_seen_at >= SESSION_TOUCH_INTERVAL:
        db.session.execute(update(WebSession).where(WebSession.id == session_id)
                           .values(last_seen_at=now)
                           .execution_options(synchronize_session=False))
        return user, True
    return user, False


def purge_web_sessions(older_than: timedelta = timedelta(days=60)) -> int:
    """Delete sessions ended or unused for longer than ``older_than``; housekeeping."""
    cutoff = utcnow() - older_than
    result = db.session.execute(delete(WebSession).where(
        (WebSession.last_seen_at < cutoff) | (WebSession.ended_at < cutoff)))
    return result.rowcount or 0


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="api-token")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_api_token(user: User) -> tuple[str, ApiToken]:
    """A signed bearer token; the database keeps only a hash of its secret."""
    secret = secrets.token_urlsafe(32)
    ttl = timedelta(hours=current_app.config["API_TOKEN_TTL_HOURS"])
    row = ApiToken(user_id=user.id, secret_hash=_digest(secret),
                   session_version=user.session_version, expires_at=utcnow() + ttl)
    db.session.add(row)
    db.session.flush()
    return _serializer().dumps([row.id, secret]), row


# this runs on every API call: one statement (the user entity plus the token's columns), built
# once so neither its construction nor its cache key is paid per request
_TOKEN_AND_USER = (
    select(User, ApiToken.secret_hash, ApiToken.session_version, ApiToken.revoked_at,
           ApiToken.expires_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.id == bindparam("token_id")))


def read_api_token(raw: str) -> tuple[int, str] | None:
    """The (token id, secret) a bearer string carries when its signature holds, else None."""
    try:
        token_id, secret = _serializer().loads(raw)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(token_id, int) or not isinstance(secret, str):
        return None
    return token_id, secret


def token_is_live(secret: str, *, secret_hash: str, revoked_at, expires_at, active: bool,
                  user_version: int, token_version: int) -> bool:
    """Whether a stored token answers ``secret`` and still stands: not revoked or expired,
    the account active, and no "log out everywhere" since it was issued."""
    return (hmac.compare_digest(secret_hash, _digest(secret)) and revoked_at is None
            and expires_at > utcnow() and active and user_version == token_version)


def resolve_api_token(raw: str) -> tuple[User, int] | None:
    """The user and token id of a live bearer string, or None (bad signature, expired, revoked,
    session ended, account disabled)."""
    token = read_api_token(raw)
    if token is None:
        return None
    row = db.session.execute(_TOKEN_AND_USER, {"token_id": token[0]}).first()
    if row is None:
        return None
    user = row.User
    if not token_is_live(token[1], secret_hash=row.secret_hash, revoked_at=row.revoked_at,
                         expires_at=row.expires_at, active=user.active,
                         user_version=user.session_version, token_version=row.session_version):
        return None
    return user, token[0]


def get_api_token(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)


def revoke_api_token(row: ApiToken) -> None:
    """Revoke one token."""
    row.revoked_at = utcnow()


def resolve_scope(role: str, scope_id: int | None) -> dict:
    """The scope columns for a staff role, denormalised upward (grid → community → street)."""
    column = ROLE_SCOPE[role]
    if scope_id is None:
        raise ValidationFailed(fields={column: "该角色必须指定所属范围"})
    model = {"street_id": Street, "community_id": Community, "grid_id": Grid,
             "branch_id": Branch, "unit_id": Unit}[column]
    obj = db.session.get(model, scope_id)
    if obj is None:
        raise ValidationFailed(fields={column: "所选对象不存在"})
    scope = {column: obj.id}
    if column in ("grid_id", "branch_id"):
        scope["community_id"] = obj.community_id
        obj = obj.community
    if column in ("grid_id", "branch_id", "community_id"):
        scope["street_id"] = obj.street_id
    return scope


def create_staff(actor: User, *, name: str, phone: str, password: str, role: str,
                 scope_id: int | None, email: str | None = None) -> User:
    """A staff account created by the district admin, scoped to one organisation."""
    if not can_manage_staff(actor):
        raise NotAllowed()
    if role not in STAFF_ROLES:
        raise ValidationFailed(fields={"role": "角色无效"})
    phone = check_phone(phone)
    user = User(name=check_name(name), phone=phone,
                password_hash=hash_password(check_password(password, phone=phone)), role=role,
                status="approved", email=(email or None), **resolve_scope(role, scope_id))
    ensure_phone_free(user.phone)
    db.session.add(user)
    db.session.flush()
    record_action(actor, "create_staff", user, role=role)
    return user


def create_admin(*, name: str, phone: str, password: str) -> User:
    """A district admin account (the CLI's create-admin)."""
    phone = check_phone(phone)
    user = User(name=check_name(name), phone=phone,
                password_hash=hash_password(check_password(password, phone=phone)),
                role="district_admin", status="approved")
    ensure_phone_free(user.phone)
    db.session.add(user)
    db.session.flush()
    record_action(None, "create_admin", user)
    return user


def set_user_active(actor: User, user: User, active: bool) -> None:
    """Disable or re-enable an account; disabling ends its sessions."""
    if not can_manage_staff(actor):
        raise NotAllowed()
    if user.id == actor.id:
        raise ValidationFailed("不能停用自己的账号")
    user.active = active
    if not active:
        end_all_sessions(user)
    record_action(actor, "enable_user" if active else "disable_user", user)


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("找不到该账号")
    return user


def list_staff_stmt(role: str | None = None, q: str | None = None):
    """Staff accounts, newest first."""
    stmt = select(User).where(User.role != "member").order_by(User.id.desc())
    if role:
        stmt = stmt.where(User.role == role)
    if q:
        stmt = stmt.where((User.name.contains(q)) | (User.phone.contains(q)))
    return stmt
