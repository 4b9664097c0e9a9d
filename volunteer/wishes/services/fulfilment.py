"""Fulfilling and confirming 微心愿, and their photos."""

from datetime import datetime

from sqlalchemy import update

from volunteer.audit.services import record_action
from volunteer.core.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from volunteer.core.text import clean_text
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.notifications.services import notify
from volunteer.wishes import photos
from volunteer.wishes.models import PHOTO_KINDS, Wish, WishClaim
from volunteer.wishes.permissions import (
    awaits_acceptance,
    can_confirm_wish,
    can_edit_wish,
    can_fulfil_wish,
    can_see_household,
    can_view_wish,
    holds_accepted_claim,
    holds_claim,
)
from volunteer.wishes.services.rules import NOTE_MAX, _move, _secretaries

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
