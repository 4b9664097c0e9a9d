"""Sending one-time codes through an account's channels.

One call, ``send_code``, for every code the service sends (today: resetting a forgotten
password). It sends by every channel the account has: today e-mail, through the notification
outbox (so the message leaves after the commit, with retries). SMS and WeChat plug in here as
further channels; callers do not change.
"""

from volunteer.core.i18n import N_
from volunteer.notifications.services import notify

CODE_PURPOSES = {"reset_password": N_("重置密码")}


def code_channels(user) -> list[str]:
    """The channels a code to ``user`` would go by (empty: none known)."""
    return ["email"] if user.email else []


def send_code(user, purpose: str, code: str, minutes: int) -> list[str]:
    """Send ``code`` for ``purpose`` to ``user`` by every channel they have; the channels used."""
    channels = code_channels(user)
    label = CODE_PURPOSES[purpose]
    if "email" in channels:
        notify(user, f"code_{purpose}", f"{label}验证码：{code}",
               f"您正在{label}，验证码是 {code}，{minutes} 分钟内有效。\n\n"
               "如果不是您本人操作，请忽略本邮件，您的密码不会改变。",
               email_kind="account_code")
    return channels
