"""Permission predicates as a matrix: who sees whole phones, who reviews, who sees members."""

from types import SimpleNamespace as Obj

import pytest

from volunteer.auth.permissions import can_see_phone, mask_phone
from volunteer.members.permissions import can_review_member, can_view_member

STREET, OTHER_STREET = 1, 2
member = Obj(id=10, role="member", phone="13812345678", community_id=5, branch_id=7, unit_id=9,
             community=Obj(street_id=STREET),
             branch=Obj(id=7, parent=Obj(id=6, parent=None)))  # a 支部 of a 总支


def user(role, **scope):
    return Obj(id=scope.pop("id", 99), role=role, is_authenticated=True,
               **{"community_id": None, "street_id": None, "branch_id": None, "unit_id": None,
                  **scope})


CASES = [
    # viewer, sees whole phone, may review, may view
    (user("member", id=10, community_id=5), True, False, True),
    (user("member", community_id=5), False, False, False),
    (user("district_admin"), True, False, True),
    (user("community_secretary", community_id=5), True, True, True),
    (user("community_secretary", community_id=6), False, False, False),
    (user("grid_worker", community_id=5), True, False, True),
    (user("grid_worker", community_id=6), False, False, False),
    (user("street_reviewer", street_id=STREET), False, False, True),
    (user("street_reviewer", street_id=OTHER_STREET), False, False, False),
    (user("branch_secretary", branch_id=7, community_id=5), False, False, True),
    (user("branch_secretary", branch_id=8, community_id=5), False, False, False),
    (user("branch_secretary", branch_id=6, community_id=5), False, False, True),  # the 总支
    (user("unit_contact", unit_id=9), False, False, True),
    (user("unit_contact", unit_id=3), False, False, False),
]


@pytest.mark.parametrize("viewer, phone, review, view", CASES)
def test_matrix(viewer, phone, review, view):
    assert can_see_phone(viewer, member) is phone
    assert can_review_member(viewer, member) is review
    assert can_view_member(viewer, member) is view


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == "" and mask_phone(None) == ""


def test_anonymous_sees_no_phone():
    assert can_see_phone(None, member) is False
    assert can_see_phone(Obj(is_authenticated=False), member) is False
