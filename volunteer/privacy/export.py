"""A member's own data as one JSON document (PIPL's right to a copy, 查阅复制权).

Built from each feature's API serialisers, so the copy has the shapes the API answers. Only the
member's own data: a wish's household and a request's resident are other people and are left
out, as are other members on the same task.
"""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from volunteer.auth.api import serialise_user
from volunteer.consents.models import NOTICE_VERSION
from volunteer.consents.services import list_consents
from volunteer.core.time import isoformat, utcnow
from volunteer.extensions import db
from volunteer.mobilisation.models import MobilisationReply
from volunteer.notifications.api import serialise_notification
from volunteer.notifications.models import Notification
from volunteer.privacy.models import DeletionRequest
from volunteer.requests.models import ServiceRequest
from volunteer.tasks.api import serialise_claim
from volunteer.tasks.models import Claim
from volunteer.wishes.models import WishClaim


def _profile(member) -> dict:
    body = serialise_user(member, member)
    body.update({"email": member.email, "community_name": getattr(member.community, "name", None),
                 "unit_name": getattr(member.unit, "name", None),
                 "grid_name": getattr(member.grid, "name", None),
                 "branch_name": getattr(member.branch, "name", None),
                 "last_login_at": isoformat(member.last_login_at)})
    return body


def _wish(claim: WishClaim) -> dict:
    wish = claim.wish
    return {"wish_id": wish.id, "content": wish.content, "household_kind": wish.household_kind,
            "household_kind_label": wish.kind_label, "status": wish.status,
            "status_label": wish.status_label, "community_name": wish.community.name,
            "claimed_at": isoformat(claim.created_at), "fulfilled_at": isoformat(wish.fulfilled_at),
            "fulfil_note": wish.fulfil_note if wish.fulfilled_by_id == claim.member_id else None,
            "confirmed_at": isoformat(wish.confirmed_at)}


def _request(req: ServiceRequest) -> dict:
    return {"request_id": req.id, "category": req.category, "category_label": req.category_label,
            "status": req.status, "status_label": req.status_label,
            "community_name": req.community.name, "description": req.description,
            "dispatched_at": isoformat(req.dispatched_at), "taken_at": isoformat(req.taken_at),
            "completed_at": isoformat(req.completed_at), "completion_note": req.completion_note,
            "rating": req.rating}


def _reply(reply: MobilisationReply) -> dict:
    return {"mobilisation_id": reply.mobilisation_id, "answer": reply.answer,
            "note": reply.note}


def member_data(member) -> dict:
    """Everything the product keeps about ``member``, as JSON-ready values."""
    claims = db.session.scalars(select(Claim).where(Claim.member_id == member.id)
                                .options(joinedload(Claim.task)).order_by(Claim.id))
    wish_claims = db.session.scalars(select(WishClaim).where(WishClaim.member_id == member.id)
                                     .options(joinedload(WishClaim.wish)).order_by(WishClaim.id))
    requests = db.session.scalars(select(ServiceRequest).where(
        ServiceRequest.assignee_id == member.id).order_by(ServiceRequest.id))
    notifications = db.session.scalars(select(Notification).where(
        Notification.user_id == member.id).order_by(Notification.id))
    replies = db.session.scalars(select(MobilisationReply).where(
        MobilisationReply.member_id == member.id).order_by(MobilisationReply.id))
    deletions = db.session.scalars(select(DeletionRequest).where(
        DeletionRequest.member_id == member.id).order_by(DeletionRequest.id))
    return {
        "exported_at": isoformat(utcnow()),
        "notice_version": NOTICE_VERSION,
        "profile": _profile(member),
        "consents": [{"kind": c.kind, "label": c.kind_label, "notice_version": c.notice_version,
                      "given_at": isoformat(c.given_at)} for c in list_consents(user=member)],
        "claims": [serialise_claim(c, with_task=True) for c in claims],
        "wishes_claimed": [_wish(c) for c in wish_claims],
        "requests_assigned": [_request(r) for r in requests],
        "mobilisation_replies": [_reply(r) for r in replies],
        "notifications": [serialise_notification(n) for n in notifications],
        "deletion_requests": [{"id": d.id, "status": d.status,
                               "requested_at": isoformat(d.requested_at),
                               "handled_at": isoformat(d.handled_at)} for d in deletions],
    }
