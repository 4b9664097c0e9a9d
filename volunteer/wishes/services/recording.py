"""Collecting and reviewing 微心愿: recording, editing, publishing and returning a wish."""

from datetime import datetime

from volunteer.audit.services import record_action
from volunteer.core.errors import InvalidState, NotAllowed, ValidationFailed
from volunteer.core.text import required_reason
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.notifications.services import notify
from volunteer.orgs.models import Community
from volunteer.wishes import photos
from volunteer.wishes.models import Wish
from volunteer.wishes.permissions import (
    can_edit_wish,
    can_record_wish,
    can_review_wish,
    is_community_staff,
)
from volunteer.wishes.services.rules import _clean_wish, _move, _secretaries, local_today

# ---------------------------------------------------------------- collect and review


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
