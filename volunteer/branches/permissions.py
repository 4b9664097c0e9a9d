"""Who may see a functional branch's members."""

from volunteer.auth.permissions import can_see_phone, mask_phone
from volunteer.members.permissions import leads_branch


def can_list_branch_members(user, branch) -> bool:
    """The branch's community secretary, the secretary of the branch (or of an organisation
    above it) and the district admin."""
    if user is None or branch is None:
        return False
    if user.role == "district_admin":
        return True
    if user.role == "community_secretary":
        return user.community_id is not None and user.community_id == branch.community_id
    return leads_branch(user, branch)


def can_open_my_branch(user, obj=None) -> bool:
    """本支部党员 in the navigation: a branch secretary with a branch."""
    return user is not None and user.role == "branch_secretary" and user.branch_id is not None


def branch_member_phone(viewer, member) -> str:
    """A branch member's phone for the list: whole for whoever may see it, and for the
    secretary of the member's branch (who calls them to serve); masked otherwise."""
    if can_see_phone(viewer, member) or (member.branch is not None
                                         and leads_branch(viewer, member.branch)):
        return member.phone
    return mask_phone(member.phone)
