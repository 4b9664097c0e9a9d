"""Limits, refusals, input checks and the shared row helpers of 微心愿 (limits are stated once here;
forms and the API import them)."""

import re
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from volunteer.auth.models import User
from volunteer.core.errors import Conflict, InvalidState, NotAllowed, ValidationFailed
from volunteer.core.text import clean_text
from volunteer.core.time import to_local, utcnow
from volunteer.extensions import db
from volunteer.orgs.models import Grid
from volunteer.wishes.models import HOUSEHOLD_KINDS, Wish

NAME_MAX, ADDRESS_MAX, CONTENT_MAX, NOTE_MAX = 30, 120, 500, 1000
RELEASE_WINDOW = timedelta(days=7)
PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


class WishTaken(Conflict):
    code = "wish_taken"
    message = "该心愿已被其他党员认领"


class AlreadyClaimed(Conflict):
    code = "already_claimed"
    message = "您已认领该心愿"


class NotApproved(NotAllowed):
    code = "not_approved"
    message = "报到审核通过后才能认领微心愿"


class ClaimRefused(Conflict):
    code = "claim_refused"
    message = "社区已谢绝您认领该心愿"


class ReleaseLimit(Conflict):
    code = "release_limit"
    message = "7 天内退还的心愿已达上限"


def max_value() -> int:
    return int(current_app.config.get("WISH_MAX_VALUE", 500))


def max_group() -> int:
    return int(current_app.config.get("WISH_GROUP_MAX", 10))


def unclaimed_days() -> int:
    return int(current_app.config.get("WISH_UNCLAIMED_DAYS", 7))


def release_limit() -> int:
    """How many claims a member may release in ``RELEASE_WINDOW`` (WISH_RELEASE_LIMIT_PER_WEEK)."""
    return int(current_app.config.get("WISH_RELEASE_LIMIT_PER_WEEK", 2))


def local_today(now: datetime | None = None) -> date:
    return to_local(now or utcnow()).date()


# ---------------------------------------------------------------- validation


def _clean_wish(actor, data: dict, *, now: datetime, community_id: int,
                old_deadline: date | None = None) -> dict:
    """Check the fields of a wish; every bad one is named in one ValidationFailed."""
    errors: dict[str, str] = {}
    clean = {
        "beneficiary_name": clean_text(errors, "beneficiary_name", data.get("beneficiary_name"),
                                  NAME_MAX),
        "address": clean_text(errors, "address", data.get("address"), ADDRESS_MAX),
        "content": clean_text(errors, "content", data.get("content"), CONTENT_MAX),
    }
    phone = clean_text(errors, "phone", data.get("phone"), 20).replace(" ", "")
    if "phone" not in errors and not PHONE_RE.match(phone):
        errors["phone"] = "请填写 11 位手机号或带区号的固定电话"
    clean["phone"] = phone
    kind = data.get("household_kind")
    if kind not in HOUSEHOLD_KINDS:
        errors["household_kind"] = "请选择家庭类别"
    clean["household_kind"] = kind
    value = data.get("value")
    if not isinstance(value, int) or isinstance(value, bool):
        errors["value"] = "请填写整数金额（元）"
    elif value < 0:
        errors["value"] = "金额不能为负数"
    elif value > max_value():
        errors["value"] = f"微心愿价值不能超过 {max_value()} 元"
    clean["value"] = value
    deadline = data.get("deadline")
    if deadline is not None:
        if not isinstance(deadline, date) or isinstance(deadline, datetime):
            errors["deadline"] = "应为日期，如 2026-11-26"
        elif deadline < local_today(now) and deadline != old_deadline:
            errors["deadline"] = "截止日期不能早于今天"
    clean["deadline"] = deadline
    grid_id = data.get("grid_id")
    if grid_id is None and actor.role == "grid_worker":
        grid_id = actor.grid_id
    if grid_id is not None:
        grid = db.session.get(Grid, grid_id) if isinstance(grid_id, int) else None
        if grid is None or grid.community_id != community_id:
            errors["grid_id"] = "所选网格不属于本社区"
    clean["grid_id"] = grid_id
    group = bool(data.get("group"))
    claimants = data.get("max_claimants") or (2 if group else 1)
    if not isinstance(claimants, int) or isinstance(claimants, bool):
        errors["max_claimants"] = "应为整数"
    elif group and not 2 <= claimants <= max_group():
        errors["max_claimants"] = f"帮帮团人数应在 2 到 {max_group()} 之间"
    clean["group"] = group
    clean["max_claimants"] = claimants if group else 1
    if errors:
        raise ValidationFailed(fields=errors)
    return clean


# ---------------------------------------------------------------- shared helpers


def _secretaries(community_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.community_id == community_id, User.role == "community_secretary",
        User.active.is_(True))))


def _move(wish: Wish, from_statuses: tuple, **values) -> None:
    """Change a wish's row only if it is still in one of ``from_statuses`` (no lost race)."""
    result = db.session.execute(
        update(Wish).where(Wish.id == wish.id, Wish.status.in_(from_statuses))
        .values(**values).execution_options(synchronize_session=False))
    db.session.expire(wish)
    if result.rowcount != 1:
        raise InvalidState()
