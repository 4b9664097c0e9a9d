"""忘记密码: a 6-digit code through the account's channels, then a new password.

Nothing here tells whether a phone has an account: asking for a code answers the same for any
well-formed phone, and a reset with an unknown phone fails exactly like a wrong code.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from volunteer.accounts.models import PasswordResetCode
from volunteer.audit.services import record_action
from volunteer.auth.models import User
from volunteer.auth.services import (
    check_password,
    check_phone,
    end_all_sessions,
    hash_password,
)
from volunteer.core import throttle
from volunteer.core.errors import DomainError, TooManyAttempts
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.notifications.channels import send_code

CODE_LENGTH = 6


class InvalidCode(DomainError):
    code = "invalid_code"
    status = 400
    message = "验证码不正确或已失效，请核对或重新获取"


def _code_hash(user_id: int, code: str) -> str:
    """A keyed hash: a copy of the table alone does not give the codes away."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _minutes(name: str) -> timedelta:
    return timedelta(minutes=current_app.config[name])


def request_reset_code(phone: str, ip: str, now=None) -> None:
    """Send a new code to the active account of ``phone``, if there is one (earlier codes stop
    working); answers nothing either way. Throttled per phone and per IP."""
    cfg, now = current_app.config, now or utcnow()
    phone = check_phone(phone)
    events = throttle.take([("forgot_phone", phone, cfg["FORGOT_MAX_PER_PHONE"]),
                            ("forgot_ip", (ip or "unknown")[:128], cfg["FORGOT_MAX_PER_IP"])],
                           _minutes("FORGOT_WINDOW_MINUTES"))
    if events is None:
        raise TooManyAttempts("获取验证码过于频繁，请稍后再试")
    user = db.session.scalar(select(User).where(User.phone == phone, User.active.is_(True)))
    code = f"{secrets.randbelow(10 ** CODE_LENGTH):0{CODE_LENGTH}d}"
    if user is None:
        return
    db.session.execute(update(PasswordResetCode).where(
        PasswordResetCode.user_id == user.id, PasswordResetCode.used_at.is_(None))
        .values(used_at=now))
    db.session.add(PasswordResetCode(user_id=user.id, code_hash=_code_hash(user.id, code),
                                     created_at=now,
                                     expires_at=now + _minutes("RESET_CODE_MINUTES")))
    send_code(user, "reset_password", code, cfg["RESET_CODE_MINUTES"])


@dataclass(frozen=True)
class ResetAttempt:
    """A reset counted against the wrong-code limit before its code is checked."""

    phone: str
    event_ids: tuple[int, ...]


def begin_reset(phone: str, password: str, ip: str) -> ResetAttempt:
    """Check the new password's rules, then count one attempt per phone and IP, or
    TooManyAttempts once the wrong codes are used up. The caller commits before
    ``finish_reset``, so a wrong code stays counted."""
    cfg = current_app.config
    phone = check_phone(phone)
    check_password(password, phone=phone)
    events = throttle.take([("reset_phone", phone, cfg["RESET_MAX_WRONG_CODES"]),
                            ("reset_ip", (ip or "unknown")[:128], cfg["RESET_MAX_PER_IP"])],
                           _minutes("RESET_CODE_MINUTES"))
    if events is None:
        raise TooManyAttempts("验证码错误次数过多，请 15 分钟后重新获取验证码")
    return ResetAttempt(phone=phone, event_ids=tuple(e.id for e in events))


def finish_reset(attempt: ResetAttempt, code: str, password: str, now=None) -> User:
    """Set the new password when ``code`` is the account's live code (InvalidCode otherwise:
    wrong, expired, used, or no such account); end every session and token, clear the login
    lockout. The code is used once, however many requests race with it."""
    new_hash = hash_password(password)  # argon2 before the transaction begins
    now = now or utcnow()
    user = db.session.scalar(select(User).where(User.phone == attempt.phone,
                                                User.active.is_(True)))
    row = None if user is None else db.session.scalar(
        select(PasswordResetCode).where(PasswordResetCode.user_id == user.id,
                                        PasswordResetCode.used_at.is_(None),
                                        PasswordResetCode.expires_at > now)
        .order_by(PasswordResetCode.id.desc()).limit(1))
    code = (code or "").strip()
    if row is None or not hmac.compare_digest(row.code_hash, _code_hash(user.id, code)):
        raise InvalidCode()
    used = db.session.execute(update(PasswordResetCode).where(
        PasswordResetCode.id == row.id, PasswordResetCode.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    if used.rowcount != 1:
        raise InvalidCode()  # another request used it first
    user.password_hash = new_hash
    user.must_change_password = False
    end_all_sessions(user)
    throttle.clear_events("login_phone", user.phone)
    throttle.clear_events("reset_phone", user.phone)
    throttle.forget_events(attempt.event_ids)
    record_action(None, "reset_password_by_code", user)
    return user


def purge_reset_codes(older_than: timedelta = timedelta(days=1)) -> int:
    """Housekeeping: delete codes that expired more than ``older_than`` ago."""
    result = db.session.execute(delete(PasswordResetCode).where(
        PasswordResetCode.expires_at < utcnow() - older_than))
    return result.rowcount or 0
