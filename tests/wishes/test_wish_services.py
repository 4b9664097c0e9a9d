"""Wish services: every transition, the refused ones, validation, flags and the wall."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from volunteer.audit.models import AuditLog
from volunteer.core.errors import InvalidState, NotAllowed, ValidationFailed
from volunteer.extensions import db
from volunteer.notifications.models import Notification
from volunteer.wishes import services
from volunteer.wishes.models import Wish, WishClaim, anonymise_name

from .conftest import WISH


def inbox(user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(
        Notification.user_id == user.id)))


def test_grid_worker_records_a_wish_for_review(area):
    wish = services.create_wish(area.worker, **WISH, deadline=date.today() + timedelta(days=10))
    db.session.commit()
    assert wish.status == "submitted"
    assert wish.grid_id == area.grid.id  # the worker's own grid by default
    assert wish.community_id == area.community.id
    assert inbox(area.secretary) == ["wish_submitted"]
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.object_id == wish.id)) \
        == "create_wish"


def test_audit_detail_holds_no_household_identity(area):
    wish = services.create_wish(area.worker, **WISH)
    db.session.commit()
    rows = db.session.scalars(select(AuditLog).where(AuditLog.object_type == "wishes"))
    for row in rows:
        text = str(row.detail)
        assert WISH["beneficiary_name"] not in text and WISH["phone"] not in text
    assert wish.id


def test_a_member_cannot_record_a_wish(area, member):
    with pytest.raises(NotAllowed):
        services.create_wish(member, **WISH)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("content", "", "不能为空"),
    ("content", "愿" * 10_000, "不能超过 500 个字符"),
    ("value", -5, "金额不能为负数"),
    ("value", 501, "微心愿价值不能超过 500 元"),
    ("value", "100", "请填写整数金额（元）"),
    ("household_kind", "rich", "请选择家庭类别"),
    ("phone", "12345", "请填写 11 位手机号或带区号的固定电话"),
    ("beneficiary_name", "   ", "不能为空"),
    ("deadline", date(2000, 1, 1), "截止日期不能早于今天"),
])
def test_bad_wish_fields_are_named(area, field, value, message):
    with pytest.raises(ValidationFailed) as caught:
        services.create_wish(area.worker, **{**WISH, field: value})
    assert caught.value.fields[field] == message


def test_value_cap_is_configurable(app, area):
    app.config["WISH_MAX_VALUE"] = 800
    try:
        wish = services.create_wish(area.worker, **{**WISH, "value": 800})
        assert wish.value == 800
    finally:
        app.config["WISH_MAX_VALUE"] = 500


def test_grid_of_another_community_is_refused(area, make_grid):
    other = make_grid()
    with pytest.raises(ValidationFailed) as caught:
        services.create_wish(area.worker, **WISH, grid_id=other.id)
    assert "grid_id" in caught.value.fields


def test_secretary_publishes_and_the_worker_is_told(area, make_wish):
    wish = make_wish(status="submitted")
    services.publish_wish(area.secretary, wish)
    db.session.commit()
    assert wish.status == "published" and wish.published_at is not None
    assert "wish_published" in inbox(area.worker)
    with pytest.raises(InvalidState):
        services.publish_wish(area.secretary, wish)


def test_only_the_own_secretary_publishes(area, make_wish, make_staff):
    wish = make_wish(status="submitted")
    with pytest.raises(NotAllowed):
        services.publish_wish(area.worker, wish)
    with pytest.raises(NotAllowed):
        services.publish_wish(make_staff("community_secretary"), wish)


def test_return_with_reason_then_edit_resubmits(area, make_wish):
    wish = make_wish(status="submitted")
    with pytest.raises(ValidationFailed):
        services.return_wish(area.secretary, wish, "  ")
    services.return_wish(area.secretary, wish, "价值估算过高")
    db.session.commit()
    assert wish.status == "returned" and wish.return_reason == "价值估算过高"
    assert "wish_returned" in inbox(area.worker)
    services.update_wish(area.worker, wish, value=150)
    db.session.commit()
    assert wish.status == "submitted" and wish.value == 150


def test_published_wish_is_edited_only_by_the_secretary_until_claimed(area, make_wish, member):
    wish = make_wish()
    with pytest.raises(NotAllowed):
        services.update_wish(area.worker, wish, value=100)
    services.update_wish(area.secretary, wish, content="想要一件冬衣")
    services.claim_wish(member, wish)
    db.session.commit()
    with pytest.raises(InvalidState):
        services.update_wish(area.secretary, wish, value=100)


def test_claim_then_a_second_member_gets_wish_taken(area, make_wish, member, make_member):
    wish = make_wish()
    claim = services.claim_wish(member, wish)
    db.session.commit()
    assert claim.member_id == member.id
    assert wish.status == "claimed" and wish.claims_taken == 1
    assert "wish_claimed" in inbox(area.worker)
    other = make_member(community=area.community)
    with pytest.raises(services.WishTaken) as caught:
        services.claim_wish(other, wish)
    assert caught.value.code == "wish_taken" and caught.value.status == 409


def test_claim_refusals(area, make_wish, member, make_member):
    draft = make_wish(status="submitted")
    with pytest.raises(InvalidState):
        services.claim_wish(member, draft)
    wish = make_wish()
    with pytest.raises(services.NotApproved):
        services.claim_wish(make_member(community=area.community, status="pending"), wish)
    with pytest.raises(NotAllowed):
        services.claim_wish(make_member(), wish)  # another street's member
    with pytest.raises(NotAllowed):
        services.claim_wish(area.worker, wish)


def test_member_of_the_same_street_may_claim(area, make_wish, make_community, make_member):
    neighbour = make_community(street=area.community.street)
    wish = make_wish()
    services.claim_wish(make_member(community=neighbour), wish)
    db.session.commit()
    assert wish.status == "claimed"


def test_group_wish_takes_up_to_n_claimants(area, make_wish, make_member):
    wish = make_wish(group=True, max_claimants=3)
    members = [make_member(community=area.community) for _ in range(4)]
    for m in members[:2]:
        services.claim_wish(m, wish)
        db.session.commit()
        assert wish.status == "published"
    with pytest.raises(services.AlreadyClaimed):
        services.claim_wish(members[0], wish)
    db.session.rollback()
    services.claim_wish(members[2], wish)
    db.session.commit()
    assert wish.status == "claimed" and wish.claims_taken == 3
    with pytest.raises(services.WishTaken):
        services.claim_wish(members[3], wish)


def test_group_size_is_checked(area):
    with pytest.raises(ValidationFailed) as caught:
        services.create_wish(area.worker, **WISH, group=True, max_claimants=50)
    assert "max_claimants" in caught.value.fields


def test_release_reopens_the_wish(area, make_wish, member):
    wish = make_wish(claimant=member)
    services.release_wish(member, wish)
    db.session.commit()
    assert wish.status == "published" and wish.claims_taken == 0 and wish.claims == []


def test_fulfilling_an_unclaimed_wish_is_refused(area, make_wish, member):
    wish = make_wish()
    with pytest.raises(NotAllowed):
        services.fulfil_wish(member, wish, "送到了")


def test_fulfil_and_confirm(area, make_wish, member):
    wish = make_wish(claimant=member)
    with pytest.raises(ValidationFailed):
        services.fulfil_wish(member, wish, "")
    with pytest.raises(InvalidState):
        services.confirm_wish(area.secretary, wish, satisfaction=5)
    services.fulfil_wish(member, wish, "周六上午送到家中")
    db.session.commit()
    assert wish.status == "fulfilled" and wish.fulfilled_by_id == member.id
    assert "wish_fulfilled" in inbox(area.secretary)
    with pytest.raises(InvalidState):
        services.fulfil_wish(member, wish, "再送一次")
    with pytest.raises(ValidationFailed) as caught:
        services.confirm_wish(area.worker, wish, satisfaction=6)
    assert "satisfaction" in caught.value.fields
    with pytest.raises(NotAllowed):
        services.confirm_wish(member, wish, satisfaction=5)
    services.confirm_wish(area.worker, wish, satisfaction=5, thanks="谢谢党员同志",
                          story="独居老人用上了新电饭煲")
    db.session.commit()
    assert wish.status == "confirmed" and wish.satisfaction == 5
    assert "wish_confirmed" in inbox(member)
    assert services.count_fulfilled(member) == 1
    with pytest.raises(InvalidState):
        services.confirm_wish(area.secretary, wish, satisfaction=4)


def test_unclaimed_after_seven_days_and_past_deadline_are_flagged(area, make_wish, age, member):
    fresh = make_wish()
    stale = make_wish()
    age(stale, 8)
    late = make_wish(deadline=date.today() + timedelta(days=1), claimant=member)
    late.deadline = date.today() - timedelta(days=2)
    db.session.commit()
    assert services.flags_of(fresh) == []
    assert services.flags_of(stale) == ["unclaimed"]
    assert services.flags_of(late) == ["overdue"]
    assert services.count_flags(area.secretary) == {"unclaimed": 1, "overdue": 1}
    ids = [w.id for w in db.session.scalars(
        services.list_wishes_stmt(area.secretary, flag="unclaimed"))]
    assert ids == [stale.id]


def test_publishing_a_wish_past_its_deadline_is_refused(area, make_wish):
    wish = make_wish(status="submitted", deadline=date.today() + timedelta(days=1))
    wish.deadline = date.today() - timedelta(days=1)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        services.publish_wish(area.secretary, wish)


def test_member_lists_published_wishes_of_the_community_or_the_street(
        area, make_wish, member, make_community, make_staff, make_grid):
    mine = make_wish()
    make_wish(status="submitted")
    neighbour = make_community(street=area.community.street)
    worker = make_staff("grid_worker", make_grid(community=neighbour))
    secretary = make_staff("community_secretary", neighbour)
    other = services.create_wish(worker, **WISH)
    services.publish_wish(secretary, other)
    db.session.commit()
    community = [w.id for w in db.session.scalars(services.list_wishes_stmt(member))]
    street = [w.id for w in db.session.scalars(services.list_wishes_stmt(member,
                                                                         scope="street"))]
    assert community == [mine.id]
    assert sorted(street) == sorted([mine.id, other.id])


def test_wall_shows_confirmed_wishes_only(area, make_wish, member):
    done = make_wish(status="fulfilled", claimant=member)
    make_wish()
    services.confirm_wish(area.secretary, done, satisfaction=5, story="故事")
    hidden = make_wish(status="fulfilled", claimant=member)
    services.confirm_wish(area.secretary, hidden, satisfaction=4, on_wall=False)
    db.session.commit()
    assert [w.id for w in db.session.scalars(services.list_wall_stmt())] == [done.id]


def test_anonymised_name():
    assert anonymise_name("张秀英") == "张**"
    assert anonymise_name("欧阳") == "欧**"
    assert anonymise_name("") == "**"


def test_claim_row_and_counter_agree(area, make_wish, member):
    wish = make_wish(claimant=member)
    count = db.session.scalar(select(db.func.count()).select_from(WishClaim).where(
        WishClaim.wish_id == wish.id))
    assert count == db.session.get(Wish, wish.id).claims_taken == 1
