"""Claiming 微心愿 (race-free), accepting or refusing claims, and releases in ``RELEASE_WINDOW``."""

from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError

from volunteer.audit.services import record_action
from volunteer.auth.models import User
from volunteer.core.errors import InvalidState, NotAllowed, ValidationFailed
from volunteer.core.text import required_reason
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.notifications.services import notify
from volunteer.wishes.models import LIVE_CLAIM_STATES, Wish, WishClaim
from volunteer.wishes.permissions import (
    COMMUNITY_STAFF,
    can_accept_wish_claim,
    can_claim_wish,
    can_release_wish,
    decides_claims,
    holds_claim,
)
from volunteer.wishes.services.rules import (
    RELEASE_WINDOW,
    AlreadyClaimed,
    ClaimRefused,
    NotApproved,
    ReleaseLimit,
    WishTaken,
    _move,
    release_limit,
)

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
