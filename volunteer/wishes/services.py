"""Collecting, reviewing, claiming (race-free), accepting claims, fulfilling and confirming
微心愿. A claim holds its place at once but shows the household only once the wish's community
staff accept it; a member may release at most ``release_limit()`` claims in ``RELEASE_WINDOW``."""

import re
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError

from volunteer.audit.services import record_action
from volunteer.auth.models import User
from volunteer.core.errors import Conflict, InvalidState, NotAllowed, NotFound, ValidationFailed
from volunteer.core.text import clean_text, required_reason
from volunteer.core.time import to_local, utcnow
from volunteer.extensions import db
from volunteer.notifications.services import notify
from volunteer.orgs.models import Community, Grid
from volunteer.wishes import photos
from volunteer.wishes.models import (
    HOUSEHOLD_KINDS,
    LIVE_CLAIM_STATES,
    PHOTO_KINDS,
    Wish,
    WishClaim,
)
from volunteer.wishes.permissions import (
    COMMUNITY_STAFF,
    awaits_acceptance,
    can_accept_wish_claim,
    can_claim_wish,
    can_confirm_wish,
    can_edit_wish,
    can_fulfil_wish,
    can_list_wishes,
    can_record_wish,
    can_release_wish,
    can_review_wish,
    can_see_household,
    can_view_wish,
    decides_claims,
    holds_accepted_claim,
    holds_claim,
    is_community_staff,
)

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


# ---------------------------------------------------------------- collect and review


def _secretaries(community_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.community_id == community_id, User.role == "community_secretary",
        User.active.is_(True))))


def create_wish(actor, *, photo: bytes | None = None, now: datetime | None = None,
                **fields) -> Wish:
    """A grid worker records a household's wish; it waits for the secretary's review."""
    if not can_record_wish(actor):
        raise NotAllowed("只有网格员或社区书记可以登记微心愿")
    now = now or utcnow()
    community = db.session.get(Community, actor.community_id)
    clean = _clean_wish(actor, fields, now=now, community_id=community.id)
    photo_name = photos.store_photo(photo, "photo") if photo else None
    wish = Wish(community_id=community.id, street_id=community.street_id,
                created_by_id=actor.id, status="submitted", claims_taken=0, created_at=now,
                photo=photo_name, **clean)
    db.session.add(wish)
    db.session.flush()
    record_action(actor, "create_wish", wish, value=wish.value, kind=wish.household_kind)
    for secretary in _secretaries(community.id):
        if secretary.id != actor.id:
            notify(secretary, "wish_submitted", "有新的微心愿待审核",
                   f"{wish.kind_label}：{wish.content[:60]}", link=f"/wishes/{wish.id}")
    return wish


def update_wish(actor, wish: Wish, *, photo: bytes | None = None, now: datetime | None = None,
                **fields) -> Wish:
    """Edit a wish before it is claimed; a returned wish goes back for review."""
    if not can_edit_wish(actor, wish):
        if is_community_staff(actor, wish.community_id) and (
                wish.status not in ("submitted", "returned", "published") or wish.claims_taken):
            raise InvalidState("已认领的心愿不能修改")
        raise NotAllowed()
    now = now or utcnow()
    merged = {name: getattr(wish, name) for name in (
        "household_kind", "beneficiary_name", "address", "phone", "content", "value",
        "deadline", "grid_id", "group", "max_claimants")}
    merged.update(fields)
    clean = _clean_wish(actor, merged, now=now, community_id=wish.community_id,
                        old_deadline=wish.deadline)
    for name, value in clean.items():
        setattr(wish, name, value)
    if photo:
        old, wish.photo = wish.photo, photos.store_photo(photo, "photo")
        photos.delete_photo(old)
    if wish.status == "returned":
        wish.status = "submitted"
        for secretary in _secretaries(wish.community_id):
            notify(secretary, "wish_submitted", "退回的微心愿已修改，待审核",
                   wish.content[:60], link=f"/wishes/{wish.id}")
    record_action(actor, "update_wish", wish)
    return wish


def _move(wish: Wish, from_statuses: tuple, **values) -> None:
    """Change a wish's row only if it is still in one of ``from_statuses`` (no lost race)."""
    result = db.session.execute(
        update(Wish).where(Wish.id == wish.id, Wish.status.in_(from_statuses))
        .values(**values).execution_options(synchronize_session=False))
    db.session.expire(wish)
    if result.rowcount != 1:
        raise InvalidState()


def publish_wish(actor, wish: Wish, now: datetime | None = None) -> Wish:
    """The secretary publishes a reviewed wish for members to claim."""
    if not can_review_wish(actor, wish):
        raise NotAllowed("只有本社区书记可以发布微心愿")
    if wish.status not in ("submitted", "returned"):
        raise InvalidState("只有待审核的心愿可以发布")
    now = now or utcnow()
    if wish.deadline is not None and wish.deadline < local_today(now):
        raise ValidationFailed("截止日期已过，请修改后再发布", fields={"deadline": "已过期"})
    _move(wish, ("submitted", "returned"), status="published", published_at=now,
          reviewed_by_id=actor.id, return_reason=None)
    record_action(actor, "publish_wish", wish)
    if wish.created_by_id != actor.id:
        notify(wish.created_by_id, "wish_published", "您登记的微心愿已发布",
               wish.content[:60], link=f"/wishes/{wish.id}")
    return wish


def return_wish(actor, wish: Wish, reason: str, now: datetime | None = None) -> Wish:
    """The secretary sends a wish back to the grid worker with a reason."""
    if not can_review_wish(actor, wish):
        raise NotAllowed()
    reason = required_reason(reason)
    if wish.status != "submitted":
        raise InvalidState("只有待审核的心愿可以退回")
    now = now or utcnow()
    _move(wish, ("submitted",), status="returned", return_reason=reason, returned_at=now,
          reviewed_by_id=actor.id)
    record_action(actor, "return_wish", wish, reason=reason)
    notify(wish.created_by_id, "wish_returned", "微心愿被退回，请修改",
           f"原因：{reason}", link=f"/wishes/{wish.id}")
    return wish


# ---------------------------------------------------------------- claim


def _deciders(wish: Wish) -> list[User]:
    """The staff who may accept the wish's claims (told when one waits)."""
    staff = db.session.scalars(select(User).where(
        User.community_id == wish.community_id, User.role.in_(COMMUNITY_STAFF),
        User.active.is_(True)).order_by(User.id))
    return [user for user in staff if decides_claims(user, wish)]


def _lock_member(member_id: int) -> None:
    # serialises one member's releases on PostgreSQL (SQLite's BEGIN IMMEDIATE already does),
    # so two releases at once cannot both pass the weekly limit. FOR NO KEY UPDATE, not FOR
    # UPDATE: a staff decision at the same moment notifies the member, and the foreign key
    # check of that insert (FOR KEY SHARE on the member's row) would deadlock with FOR UPDATE
    db.session.execute(select(User.id).where(User.id == member_id)
                       .with_for_update(key_share=True))


def _end_claim(claim: WishClaim, from_states: tuple, **values) -> None:
    """Move one claim row on only if it is still in ``from_states`` (a decision or a release
    made at the same moment loses cleanly)."""
    result = db.session.execute(
        update(WishClaim).where(WishClaim.id == claim.id, WishClaim.state.in_(from_states))
        .values(**values).execution_options(synchronize_session=False))
    db.session.expire(claim)
    if result.rowcount != 1:
        raise InvalidState("该认领已被处理或已退还")


def _free_place(wish: Wish) -> None:
    """A refused or released claim gives its place back; a full wish is open again."""
    _move(wish, ("published", "claimed"), status="published",
          claims_taken=Wish.claims_taken - 1)


def claim_wish(member, wish: Wish, now: datetime | None = None) -> WishClaim:
    """Claim a published wish; the database lets exactly ``max_claimants`` claims win. The
    claim holds its place and waits for the wish's community staff to accept it."""
    if member is None or member.role != "member":
        raise NotAllowed("只有在职党员可以认领微心愿")
    if member.status != "approved":
        raise NotApproved()
    if holds_claim(member, wish):
        raise AlreadyClaimed()
    if not can_claim_wish(member, wish):
        if wish.status in ("claimed", "fulfilled", "confirmed"):
            raise WishTaken()
        raise NotAllowed() if wish.status == "published" else InvalidState("该心愿尚未发布")
    if db.session.scalar(select(WishClaim.id).where(
            WishClaim.wish_id == wish.id, WishClaim.member_id == member.id,
            WishClaim.state == "refused").limit(1)) is not None:
        raise ClaimRefused()
    now = now or utcnow()
    # one conditional UPDATE decides the race: only a wish with a free place is taken
    result = db.session.execute(
        update(Wish)
        .where(Wish.id == wish.id, Wish.status == "published",
               Wish.claims_taken < Wish.max_claimants)
        .values(claims_taken=Wish.claims_taken + 1, claimed_at=now,
                status=case((Wish.claims_taken + 1 >= Wish.max_claimants, "claimed"),
                            else_=Wish.status))
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.expire(wish)
        raise WishTaken()
    claim = WishClaim(wish_id=wish.id, member_id=member.id, state="pending", created_at=now)
    db.session.add(claim)
    try:
        db.session.flush()
    except IntegrityError:
        raise AlreadyClaimed() from None
    db.session.expire(wish)
    record_action(member, "claim_wish", wish, member_id=member.id)
    for user in _deciders(wish):
        notify(user, "wish_claimed", "有党员认领微心愿，请确认",
               f"{member.name} 认领了心愿：{wish.content[:60]}。确认后认领人才能看到受助家庭的"
               "联系方式。", link=f"/wishes/{wish.id}")
    return claim


def _pending_claim(wish: Wish, member_id: int | None) -> WishClaim:
    """The waiting claim a decision is about: ``member_id``'s, or the only one."""
    pending = wish.pending_claims
    if member_id is None:
        if not pending:
            raise InvalidState("该心愿没有等待确认的认领")
        if len(pending) > 1:
            raise ValidationFailed(fields={"member_id": "有多名党员等待确认，请指明认领人"})
        return pending[0]
    claim = wish.claim_of(member_id)
    if claim is None:
        raise ValidationFailed(fields={"member_id": "该党员没有认领这个心愿"})
    if claim.state != "pending":
        raise InvalidState("该认领已确认")
    return claim


def _check_decider(actor, wish: Wish) -> None:
    if not can_accept_wish_claim(actor, wish):
        if decides_claims(actor, wish):
            raise InvalidState("该心愿当前没有可处理的认领")
        raise NotAllowed("只有心愿所在社区的书记或网格员可以确认认领")


def accept_wish_claim(actor, wish: Wish, member_id: int | None = None,
                      now: datetime | None = None) -> WishClaim:
    """The wish's community staff accept a waiting claim: the claimant now sees the household."""
    _check_decider(actor, wish)
    claim = _pending_claim(wish, member_id)
    now = now or utcnow()
    _end_claim(claim, ("pending",), state="accepted", decided_at=now, decided_by_id=actor.id)
    db.session.expire(wish)
    record_action(actor, "accept_wish_claim", wish, member_id=claim.member_id)
    notify(claim.member_id, "wish_claim_accepted", "社区已确认您的认领",
           f"请查看受助家庭的联系方式，尽快送达心愿：{wish.content[:60]}",
           link=f"/wishes/{wish.id}")
    return claim


def refuse_wish_claim(actor, wish: Wish, reason: str, member_id: int | None = None,
                      now: datetime | None = None) -> WishClaim:
    """The wish's community staff refuse a waiting claim with a reason; its place is free."""
    _check_decider(actor, wish)
    reason = required_reason(reason)
    claim = _pending_claim(wish, member_id)
    now = now or utcnow()
    _end_claim(claim, ("pending",), state="refused", decided_at=now, decided_by_id=actor.id,
               ended_at=now, end_reason=reason)
    _free_place(wish)
    record_action(actor, "refuse_wish_claim", wish, member_id=claim.member_id, reason=reason)
    notify(claim.member_id, "wish_claim_refused", "社区未同意您认领微心愿",
           f"心愿：{wish.content[:60]}。原因：{reason}", link="/wishes")
    return claim


def count_recent_releases(member, now: datetime | None = None) -> int:
    """Claims ``member`` released within ``RELEASE_WINDOW`` before ``now``."""
    now = now or utcnow()
    return db.session.scalar(select(func.count()).select_from(WishClaim).where(
        WishClaim.member_id == member.id, WishClaim.state == "released",
        WishClaim.ended_at > now - RELEASE_WINDOW)) or 0


def releases_left(member, now: datetime | None = None) -> int:
    """How many more claims ``member`` may release now."""
    return max(0, release_limit() - count_recent_releases(member, now))


def release_wish(member, wish: Wish, now: datetime | None = None) -> Wish:
    """A claimant gives the wish back before fulfilling it (at most ``release_limit()`` times
    in ``RELEASE_WINDOW``); it is open again."""
    if not can_release_wish(member, wish):
        raise InvalidState("只能退还已认领、尚未圆梦的心愿") if holds_claim(member, wish) \
            else NotAllowed()
    now = now or utcnow()
    _lock_member(member.id)
    if count_recent_releases(member, now) >= release_limit():
        raise ReleaseLimit(f"7 天内最多退还 {release_limit()} 个认领的心愿，"
                           "请完成已认领的心愿，或联系社区工作人员")
    claim = wish.claim_of(member.id)
    was = claim.state
    _end_claim(claim, LIVE_CLAIM_STATES, state="released", ended_at=now)
    _free_place(wish)
    record_action(member, "release_wish", wish, member_id=member.id, state=was)
    for user in _deciders(wish):
        notify(user, "wish_released", "党员退还了认领的微心愿",
               f"{member.name}：{wish.content[:60]}", link=f"/wishes/{wish.id}")
    return wish


# ---------------------------------------------------------------- fulfil and confirm


def fulfil_wish(member, wish: Wish, note: str, photo: bytes | None = None,
                now: datetime | None = None) -> Wish:
    """The claimant marks the wish fulfilled, with a note and an optional photo; claims of a
    帮帮团 still waiting for the staff end (refused: the wish needs them no more)."""
    if not holds_claim(member, wish):
        raise NotAllowed("只有认领人可以标记圆梦")
    if awaits_acceptance(member, wish):
        raise InvalidState("社区确认您的认领后才能标记圆梦")
    if not can_fulfil_wish(member, wish):
        raise InvalidState("该心愿当前不能标记圆梦")
    errors: dict[str, str] = {}
    note = clean_text(errors, "note", note, NOTE_MAX)
    if errors:
        raise ValidationFailed(fields=errors)
    now = now or utcnow()
    photo_name = photos.store_photo(photo, "photo") if photo else None
    # claim rows before the wish row, in the order a refusal and a release take them
    stale = wish.pending_claims
    ended = list(db.session.scalars(
        update(WishClaim).where(WishClaim.wish_id == wish.id, WishClaim.state == "pending")
        .values(state="refused", decided_at=now, ended_at=now, end_reason="心愿已圆梦")
        .returning(WishClaim.member_id).execution_options(synchronize_session=False)))
    _move(wish, ("published", "claimed"), status="fulfilled", fulfilled_at=now,
          fulfilled_by_id=member.id, fulfil_note=note, fulfil_photo=photo_name,
          claims_taken=Wish.claims_taken - len(ended))
    for claim in stale:
        db.session.expire(claim)
    for member_id in ended:
        notify(member_id, "wish_claim_refused", "您认领的微心愿已由其他党员圆梦",
               wish.content[:60], link="/wishes")
    record_action(member, "fulfil_wish", wish)
    staff = {wish.created_by_id, *(s.id for s in _secretaries(wish.community_id))}
    for user_id in staff:
        notify(user_id, "wish_fulfilled", "微心愿已圆梦，请上门确认",
               f"{member.name}：{note[:60]}", link=f"/wishes/{wish.id}")
    return wish


def confirm_wish(actor, wish: Wish, *, satisfaction: int, thanks: str | None = None,
                 story: str | None = None, on_wall: bool = True,
                 now: datetime | None = None) -> Wish:
    """The secretary or grid worker confirms with the household: satisfaction 1–5, thanks."""
    if not can_confirm_wish(actor, wish):
        if wish.status != "fulfilled" and can_view_wish(actor, wish) and actor.role != "member":
            raise InvalidState("只有已圆梦待确认的心愿可以确认")
        raise NotAllowed()
    errors: dict[str, str] = {}
    if not isinstance(satisfaction, int) or isinstance(satisfaction, bool) \
            or not 1 <= satisfaction <= 5:
        errors["satisfaction"] = "满意度应为 1 到 5"
    thanks = clean_text(errors, "thanks", thanks, NOTE_MAX, required=False) or None
    story = clean_text(errors, "story", story, NOTE_MAX, required=False) or None
    if errors:
        raise ValidationFailed(fields=errors)
    now = now or utcnow()
    _move(wish, ("fulfilled",), status="confirmed", confirmed_at=now, confirmed_by_id=actor.id,
          satisfaction=satisfaction, thanks=thanks, story=story, on_wall=bool(on_wall))
    record_action(actor, "confirm_wish", wish, satisfaction=satisfaction)
    for member_id in wish.accepted_ids:
        notify(member_id, "wish_confirmed", "您点亮的微心愿已确认圆梦",
               f"满意度 {satisfaction} 分。{thanks or ''}"[:200], link=f"/wishes/{wish.id}")
    return wish


def attach_photo(actor, wish: Wish, data: bytes, kind: str = "wish") -> Wish:
    """Add or replace the wish's photo (staff, before claiming) or the fulfilment photo
    (the claimant, once fulfilled and not yet confirmed)."""
    if kind not in PHOTO_KINDS:
        raise ValidationFailed(fields={"kind": "应为 wish 或 fulfil"})
    if kind == "wish":
        if not can_edit_wish(actor, wish):
            raise NotAllowed()
        column = "photo"
    else:
        if not holds_accepted_claim(actor, wish):
            raise NotAllowed()
        if wish.status != "fulfilled":
            raise InvalidState("圆梦后、确认前可以补传照片")
        column = "fulfil_photo"
    old = getattr(wish, column)
    setattr(wish, column, photos.store_photo(data, "photo"))
    db.session.flush()
    photos.delete_photo(old)
    record_action(actor, "attach_wish_photo", wish, kind=kind)
    return wish


def photo_for(viewer, wish: Wish, kind: str):
    """The stored file of a wish's photo, if ``viewer`` may see it."""
    if kind not in PHOTO_KINDS or not can_see_household(viewer, wish):
        raise NotFound("找不到该照片")
    path = photos.photo_path(wish.photo if kind == "wish" else wish.fulfil_photo)
    if path is None:
        raise NotFound("找不到该照片")
    return path


# ---------------------------------------------------------------- reading


def get_wish(viewer, wish_id: int) -> Wish:
    wish = db.session.get(Wish, wish_id)
    if wish is None:
        raise NotFound("找不到该心愿")
    if not can_view_wish(viewer, wish):
        raise NotAllowed()
    return wish


def list_wishes_stmt(viewer, *, status: str | None = None, scope: str | None = None,
                     mine: bool = False, flag: str | None = None, grid_id: int | None = None,
                     now: datetime | None = None):
    """Wishes ``viewer`` may list: members their reach (or their claims), staff their scope."""
    if not can_list_wishes(viewer):
        raise NotAllowed()
    stmt = select(Wish)
    if viewer.role == "member":
        if mine:
            stmt = stmt.where(Wish.id.in_(select(WishClaim.wish_id).where(
                WishClaim.member_id == viewer.id, WishClaim.state.in_(LIVE_CLAIM_STATES))))
        else:
            stmt = stmt.where(Wish.status == "published")
            stmt = stmt.where(Wish.street_id == viewer.street_id if scope == "street"
                              else Wish.community_id == viewer.community_id)
    elif viewer.role in ("community_secretary", "grid_worker"):
        stmt = stmt.where(Wish.community_id == viewer.community_id)
        if mine:
            stmt = stmt.where(Wish.created_by_id == viewer.id)
    elif viewer.role == "street_reviewer":
        stmt = stmt.where(Wish.street_id == viewer.street_id)
    if status:
        stmt = stmt.where(Wish.status == status)
    if grid_id:
        stmt = stmt.where(Wish.grid_id == grid_id)
    if flag and viewer.role != "member":
        stmt = stmt.where(flag_clause(flag, now or utcnow()))
    return stmt.order_by(Wish.id.desc())


def flag_clause(flag: str, now: datetime):
    """``unclaimed``: published over 7 days without a claim; ``overdue``: deadline passed;
    ``awaiting``: a claim waits for the staff's acceptance."""
    if flag == "awaiting":
        return Wish.id.in_(select(WishClaim.wish_id).where(WishClaim.state == "pending"))
    if flag == "unclaimed":
        return (Wish.status == "published") & (Wish.claims_taken == 0) & (
            Wish.published_at < now - timedelta(days=unclaimed_days()))
    if flag == "overdue":
        return Wish.status.in_(("submitted", "returned", "published", "claimed")) & (
            Wish.deadline < local_today(now))
    return Wish.id.isnot(None)


def flags_of(wish: Wish, now: datetime | None = None) -> list[str]:
    """The markers a secretary sees on a wish."""
    now = now or utcnow()
    flags = []
    if (wish.status == "published" and wish.claims_taken == 0 and wish.published_at
            and wish.published_at < now - timedelta(days=unclaimed_days())):
        flags.append("unclaimed")
    if (wish.status in ("submitted", "returned", "published", "claimed") and wish.deadline
            and wish.deadline < local_today(now)):
        flags.append("overdue")
    return flags


def count_flags(viewer, now: datetime | None = None) -> dict:
    """How many wishes of the viewer's community carry each marker."""
    now = now or utcnow()
    if viewer.role not in ("community_secretary", "grid_worker"):
        return {"unclaimed": 0, "overdue": 0}
    base = select(func.count()).select_from(Wish).where(
        Wish.community_id == viewer.community_id)
    return {flag: db.session.scalar(base.where(flag_clause(flag, now))) or 0
            for flag in ("unclaimed", "overdue")}


def count_awaiting(viewer) -> int:
    """Wishes of the staff member's community with a claim waiting for acceptance."""
    if viewer.role not in COMMUNITY_STAFF:
        return 0
    return db.session.scalar(select(func.count()).select_from(Wish).where(
        Wish.community_id == viewer.community_id, flag_clause("awaiting", utcnow()))) or 0


def list_wall_stmt(community_id: int | None = None):
    """The public wall: confirmed wishes the secretary let be shown, newest first."""
    stmt = select(Wish).where(Wish.status == "confirmed", Wish.on_wall.is_(True))
    if community_id:
        stmt = stmt.where(Wish.community_id == community_id)
    return stmt.order_by(Wish.confirmed_at.desc(), Wish.id.desc())


def count_fulfilled(member, start: datetime | None = None, end: datetime | None = None) -> int:
    """Confirmed wishes a member helped fulfil (counted apart from task hours)."""
    stmt = select(func.count()).select_from(WishClaim).join(Wish).where(
        WishClaim.member_id == member.id, WishClaim.state == "accepted",
        Wish.status == "confirmed")
    if start is not None:
        stmt = stmt.where(Wish.confirmed_at >= start)
    if end is not None:
        stmt = stmt.where(Wish.confirmed_at < end)
    return db.session.scalar(stmt) or 0

