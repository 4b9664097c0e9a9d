"""Registration and review services, called directly."""

import pytest

from volunteer.core.errors import InvalidState, NotAllowed, ValidationFailed
from volunteer.extensions import db
from volunteer.members import services


def test_register_then_approve(ctx, make_community, make_unit, make_staff):
    community, unit = make_community(), make_unit()
    member = services.register_member(name=" 顾丽 ", phone="13800001234", password="Gu-li-2022",
                                      unit_id=unit.id, community_id=community.id,
                                      skills="医疗，法律, 书法", privacy_consent=True)
    db.session.commit()
    assert member.name == "顾丽" and member.status == "pending"
    assert member.skill_tags == ["medical", "legal", "书法"] or sorted(member.skill_tags) == \
        sorted(["medical", "legal", "书法"])
    assert member.street_id == community.street_id
    secretary = make_staff("community_secretary", community)
    services.approve_member(secretary, member)
    db.session.commit()
    assert member.status == "approved" and member.reviewed_by_id == secretary.id


def test_register_collects_every_field_error(ctx):
    with pytest.raises(ValidationFailed) as caught:
        services.register_member(name="", phone="1", password="1", unit_id=None,
                                 community_id="x")
    assert {"name", "phone", "password", "unit_id", "community_id"} <= set(caught.value.fields)


def test_too_many_tags(ctx):
    with pytest.raises(ValidationFailed):
        services.clean_skills([f"标签{i}" for i in range(13)])
    assert services.clean_skills(["医疗", "medical", " ", "护理"]) == ["medical", "nursing"]


def test_review_rules(ctx, make_member, make_staff, make_community):
    member = make_member(status="pending")
    stranger = make_staff("community_secretary", make_community())
    with pytest.raises(NotAllowed):
        services.approve_member(stranger, member)
    secretary = make_staff("community_secretary", member.community)
    services.reject_member(secretary, member, "信息不全")
    with pytest.raises(InvalidState):
        services.reject_member(secretary, member, "再次退回")
    with pytest.raises(ValidationFailed):
        services.reject_member(secretary, make_member(member.community, status="pending"), " ")


def test_staff_roles_only_list_their_scope(ctx, make_member, make_staff, make_community,
                                           make_branch, make_unit):
    community = make_community()
    branch, unit = make_branch(community), make_unit()
    inside = make_member(community, branch=branch, unit=unit)
    make_member()  # elsewhere
    for role, scope in (("community_secretary", community), ("street_reviewer", community.street),
                        ("branch_secretary", branch), ("unit_contact", unit)):
        viewer = make_staff(role, scope)
        found = list(db.session.scalars(services.list_members_stmt(viewer)))
        assert found == [inside], role
    with pytest.raises(NotAllowed):
        services.list_members_stmt(inside)
