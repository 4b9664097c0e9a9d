"""Who may declare, see, answer, follow, assign and close a 集结号."""

from volunteer.mobilisation.models import Mobilisation
from volunteer.wishes.permissions import (
    COMMUNITY_STAFF,  # the community's secretary and grid workers
)


def can_declare(user) -> bool:
    """The district admin, or a street reviewer (inside their street)."""
    return user is not None and (user.role == "district_admin" or (
        user.role == "street_reviewer" and user.street_id is not None))


def can_manage(user, mobilisation: Mobilisation) -> bool:
    """Close a call: the district admin, or the reviewer of the street that declared it."""
    if user is None or mobilisation is None:
        return False
    if user.role == "district_admin":
        return True
    return (user.role == "street_reviewer" and mobilisation.street_id is not None
            and user.street_id == mobilisation.street_id)


def is_area_staff(user, mobilisation: Mobilisation) -> bool:
    """The secretary or a grid worker of a community in the control area."""
    return (user is not None and user.role in COMMUNITY_STAFF
            and user.community_id in mobilisation.community_ids)


def is_addressed(user, mobilisation: Mobilisation) -> bool:
    """An approved member living in the control area."""
    if user is None or user.role != "member" or user.status != "approved":
        return False
    for area in mobilisation.areas:
        if area.grid_id is None and area.community_id == user.community_id:
            return True
        if area.grid_id is not None and area.grid_id == user.grid_id:
            return True
    return False


def is_area_branch_secretary(user, mobilisation: Mobilisation) -> bool:
    """The secretary of a functional branch (功能型党支部) of a community in the area: they
    follow their branch's members on the roster."""
    return (user is not None and user.role == "branch_secretary"
            and user.branch_id is not None and user.community_id in mobilisation.community_ids)


def can_view(user, mobilisation: Mobilisation) -> bool:
    return (can_manage(user, mobilisation) or is_area_staff(user, mobilisation)
            or is_area_branch_secretary(user, mobilisation)
            or is_addressed(user, mobilisation) or reaches_reviewers_street(user, mobilisation))


def reaches_reviewers_street(user, mobilisation: Mobilisation) -> bool:
    """A street reviewer sees a district call that reaches into their street."""
    if user is None or user.role != "street_reviewer" or user.street_id is None:
        return False
    return any(area.community.street_id == user.street_id for area in mobilisation.areas)


def can_assign(user, mobilisation: Mobilisation, member) -> bool:
    """Give a post and shift: the secretary of the member's community."""
    return (user is not None and user.role == "community_secretary"
            and member.community_id is not None and user.community_id == member.community_id
            and member.community_id in mobilisation.community_ids)
