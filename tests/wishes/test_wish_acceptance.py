"""Households' identities: a claim waits for the wish's community staff, who accept or refuse
it; a member releases at most WISH_RELEASE_LIMIT_PER_WEEK claims in 7 days."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from volunteer.audit.models import AuditLog
from volunteer.core.errors import InvalidState, NotAllowed, ValidationFailed
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.notifications.models import Notification
from volunteer.wishes import services
from volunteer.wishes.models import Wish, WishClaim
from volunteer.wishes.permissions import can_accept_wish_claim, can_see_household


def inbox(user) -> list[tuple[str, str]]:
    return list(db.session.execute(select(Notification.kind, Notification.body).where(
        Notification.user_id == user.id)).tuples())


def kinds(user) -> list[str]:
    return [kind for kind, _body in inbox(user)]


def fresh(wish) -> Wish:
    db.session.expire_all()
    return db.session.get(Wish, wish.id)


def test_a_claim_holds_the_place_and_waits_for_the_staff(area, make_wish, member, make_member):
    wish = make_wish()
    claim = services.claim_wish(member, wish)
    db.session.commit()
    assert claim.state == "pending"
    assert wish.status == "claimed" and wish.claims_taken == 1
    assert not can_see_household(member, wish)
    # the secretary and the grid worker of the wish's grid are told a claim waits
    assert "wish_claimed" in kinds(area.secretary) and "wish_claimed" in kinds(area.worker)
    # a pending claim holds the wish: a second member cannot wait for it too
    with pytest.raises(services.WishTaken):
        services.claim_wish(make_member(community=area.community), wish)
    with pytest.raises(InvalidState):
        services.fulfil_wish(member, wish, "送到了")


def test_accepting_shows_the_household_and_tells_the_member(area, make_wish, member):
    wish = make_wish(claimant=member, accepted=False)
    services.accept_wish_claim(area.worker, wish)
    db.session.commit()
    wish = fresh(wish)
    claim = wish.claim_of(member.id)
    assert claim.state == "accepted" and claim.decided_by_id == area.worker.id
    assert claim.decided_at is not None
    assert can_see_household(member, wish)
    assert "wish_claim_accepted" in kinds(member)
    # the notification carries no household identity (it may go by e-mail)
    assert all("张秀英" not in body and "13912345678" not in body for _k, body in inbox(member))
    with pytest.raises(InvalidState):
        services.accept_wish_claim(area.secretary, wish)  # nothing waits any more
    services.fulfil_wish(member, wish, "周六送到")
    db.session.commit()
    assert fresh(wish).status == "fulfilled"


def test_refusing_frees_the_wish_and_the_member_is_told_why(area, make_wish, member,
                                                            make_member):
    wish = make_wish(claimant=member, accepted=False)
    with pytest.raises(ValidationFailed) as caught:
        services.refuse_wish_claim(area.secretary, wish, "   ")
    assert "reason" in caught.value.fields
    services.refuse_wish_claim(area.secretary, wish, "该家庭已由社区帮扶")
    db.session.commit()
    wish = fresh(wish)
    assert wish.status == "published" and wish.claims_taken == 0 and wish.claims == []
    row = wish.claim_rows[0]
    assert (row.state, row.end_reason, row.decided_by_id) == (
        "refused", "该家庭已由社区帮扶", area.secretary.id)
    assert any(kind == "wish_claim_refused" and "该家庭已由社区帮扶" in body
               for kind, body in inbox(member))
    assert not can_see_household(member, wish)
    # the refused member may not wait for it again; another member may claim it
    with pytest.raises(services.ClaimRefused) as refused:
        services.claim_wish(member, wish)
    assert refused.value.code == "claim_refused" and refused.value.status == 409
    services.claim_wish(make_member(community=area.community), wish)
    db.session.commit()
    assert fresh(wish).claims_taken == 1


def test_who_may_accept(area, make_wish, member, make_member, make_staff, make_grid):
    wish = make_wish(claimant=member, accepted=False)
    other_grid_worker = make_staff("grid_worker", make_grid(community=area.community))
    outsiders = [make_staff("community_secretary"), member,
                 make_member(community=area.community), other_grid_worker,
                 make_staff("street_reviewer", area.community.street),
                 make_staff("district_admin")]
    for outsider in outsiders:
        assert not can_accept_wish_claim(outsider, wish)
        with pytest.raises(NotAllowed):
            services.accept_wish_claim(outsider, wish)
        with pytest.raises(NotAllowed):
            services.refuse_wish_claim(outsider, wish, "不需要")
    assert fresh(wish).claim_of(member.id).state == "pending"
    assert can_accept_wish_claim(area.secretary, wish)
    assert can_accept_wish_claim(area.worker, wish)


def test_a_wish_without_grid_is_decided_by_any_grid_worker_of_its_community(
        area, make_wish, member, make_staff, make_grid):
    wish = make_wish(claimant=member, accepted=False, grid_id=None)
    wish.grid_id = None
    db.session.commit()
    other_worker = make_staff("grid_worker", make_grid(community=area.community))
    services.accept_wish_claim(other_worker, wish, member.id)
    db.session.commit()
    assert fresh(wish).claim_of(member.id).state == "accepted"


def test_group_wish_accepts_each_claim(area, make_wish, make_member):
    wish = make_wish(group=True, max_claimants=3)
    first, second, third = (make_member(community=area.community) for _ in range(3))
    for m in (first, second, third):
        services.claim_wish(m, wish)
    db.session.commit()
    with pytest.raises(ValidationFailed) as caught:
        services.accept_wish_claim(area.secretary, wish)  # which one?
    assert "member_id" in caught.value.fields
    with pytest.raises(ValidationFailed):
        services.accept_wish_claim(area.secretary, wish, 987654)
    services.accept_wish_claim(area.secretary, wish, first.id)
    services.refuse_wish_claim(area.secretary, wish, "人数已够", second.id)
    db.session.commit()
    wish = fresh(wish)
    assert can_see_household(first, wish) and not can_see_household(third, wish)
    assert wish.claims_taken == 2 and wish.status == "published"
    with pytest.raises(InvalidState):
        services.accept_wish_claim(area.secretary, wish, first.id)
    # the accepted member fulfils it; the claim still waiting ends
    services.fulfil_wish(first, wish, "大家一起送到了")
    db.session.commit()
    wish = fresh(wish)
    assert wish.status == "fulfilled" and wish.claims_taken == 1
    assert [c.member_id for c in wish.claims] == [first.id]
    assert {c.member_id: c.state for c in wish.claim_rows} == {
        first.id: "accepted", second.id: "refused", third.id: "refused"}
    assert "wish_claim_refused" in kinds(third)
    services.confirm_wish(area.secretary, wish, satisfaction=5)
    db.session.commit()
    assert services.count_fulfilled(first) == 1 and services.count_fulfilled(third) == 0
    assert "wish_confirmed" not in kinds(third)


def test_the_third_release_within_seven_days_is_refused_and_changes_nothing(
        area, make_wish, member):
    wishes = [make_wish(claimant=member) for _ in range(3)]
    services.release_wish(member, wishes[0])
    services.release_wish(member, wishes[1])
    db.session.commit()
    assert services.count_recent_releases(member) == 2 and services.releases_left(member) == 0
    before = db.session.scalar(select(func.count()).select_from(AuditLog))
    with pytest.raises(services.ReleaseLimit) as caught:
        services.release_wish(member, wishes[2])
    assert caught.value.code == "release_limit" and caught.value.status == 409
    db.session.rollback()
    wish = fresh(wishes[2])
    assert wish.status == "claimed" and wish.claims_taken == 1
    assert wish.claim_of(member.id).state == "accepted"
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == before
    # a week later the window has moved on
    services.release_wish(member, wish, now=utcnow() + timedelta(days=7, minutes=1))
    db.session.commit()
    assert fresh(wish).claims_taken == 0


def test_releasing_a_waiting_claim_counts_too(area, make_wish, member):
    wishes = [make_wish(claimant=member, accepted=False) for _ in range(3)]
    services.release_wish(member, wishes[0])
    services.release_wish(member, wishes[1])
    db.session.commit()
    with pytest.raises(services.ReleaseLimit):
        services.release_wish(member, wishes[2])


def test_the_release_limit_is_a_setting(app, area, make_wish, member):
    app.config["WISH_RELEASE_LIMIT_PER_WEEK"] = 1
    try:
        first, second = make_wish(claimant=member), make_wish(claimant=member)
        services.release_wish(member, first)
        db.session.commit()
        with pytest.raises(services.ReleaseLimit) as caught:
            services.release_wish(member, second)
        assert "1 个" in caught.value.message
    finally:
        app.config["WISH_RELEASE_LIMIT_PER_WEEK"] = 2


def test_history_and_audit_say_who_claimed_and_released_what(area, make_wish, member,
                                                            make_member):
    wish = make_wish(claimant=member)
    services.release_wish(member, wish)
    other = make_member(community=area.community)
    services.claim_wish(other, wish)
    services.refuse_wish_claim(area.worker, wish, "请先完成手头的心愿")
    db.session.commit()
    rows = fresh(wish).claim_rows
    assert [(r.member_id, r.state) for r in rows] == [(member.id, "released"),
                                                     (other.id, "refused")]
    assert rows[0].ended_at is not None and rows[0].decided_by_id == area.secretary.id
    actions = list(db.session.execute(
        select(AuditLog.action, AuditLog.actor_id).where(
            AuditLog.object_type == "wishes", AuditLog.object_id == wish.id)
        .order_by(AuditLog.id)).tuples())
    assert actions[-5:] == [
        ("claim_wish", member.id), ("accept_wish_claim", area.secretary.id),
        ("release_wish", member.id), ("claim_wish", other.id),
        ("refuse_wish_claim", area.worker.id)]
    details = db.session.scalars(select(AuditLog.detail).where(
        AuditLog.action.in_(("release_wish", "refuse_wish_claim"))))
    assert [d["member_id"] for d in details] == [member.id, other.id]


def test_a_released_member_may_claim_again_and_one_live_claim_holds(area, make_wish, member):
    wish = make_wish(claimant=member)
    services.release_wish(member, wish)
    services.claim_wish(member, wish)
    db.session.commit()
    live = db.session.scalar(select(func.count()).select_from(WishClaim).where(
        WishClaim.wish_id == wish.id, WishClaim.state.in_(("pending", "accepted"))))
    assert live == 1 == fresh(wish).claims_taken
    # the database refuses a second live claim of the same member, whatever the code does
    db.session.add(WishClaim(wish_id=wish.id, member_id=member.id, state="accepted"))
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        db.session.flush()
    db.session.rollback()


def test_staff_list_the_wishes_whose_claims_wait(area, make_wish, member):
    waiting = make_wish(claimant=member, accepted=False)
    make_wish()
    ids = [w.id for w in db.session.scalars(
        services.list_wishes_stmt(area.secretary, flag="awaiting"))]
    assert ids == [waiting.id]
    assert services.count_awaiting(area.worker) == 1
    assert services.count_awaiting(member) == 0
    mine = [w.id for w in db.session.scalars(services.list_wishes_stmt(member, mine=True))]
    assert mine == [waiting.id]


def test_the_demo_claims_are_accepted_ones(app, ctx):
    """The demo's claimed and confirmed wishes were accepted by the community, so their
    claimants see the household, and the demo has no claim stuck waiting."""
    from volunteer.seed.demo import load_demo

    load_demo()
    db.session.commit()
    wishes = list(db.session.scalars(select(Wish).where(
        Wish.status.in_(("claimed", "confirmed")))))
    assert wishes
    for wish in wishes:
        assert [c.state for c in wish.claims] == ["accepted"]
        assert wish.claims[0].decided_by_id is not None
        assert can_see_household(wish.claims[0].member, wish)
