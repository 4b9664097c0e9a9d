"""Who may review and see members."""


def can_review_member(user, member) -> bool:
    """Approve or reject: the secretary of the member's residential community."""
    return (user is not None and member.role == "member"
            and user.role == "community_secretary"
            and user.community_id is not None and user.community_id == member.community_id)


def can_view_member(user, member) -> bool:
    """The member, the district admin, and staff whose scope holds the member."""
    if user is None or member.role != "member":
        return False
    if user.id == member.id or user.role == "district_admin":
        return True
    if user.role in ("community_secretary", "grid_worker"):
        return user.community_id is not None and user.community_id == member.community_id
    if user.role == "street_reviewer":
        return user.street_id is not None and member.community is not None and (
            member.community.street_id == user.street_id)
    if user.role == "branch_secretary":
        return user.branch_id is not None and user.branch_id == member.branch_id
    if user.role == "unit_contact":
        return user.unit_id is not None and user.unit_id == member.unit_id
    return False


def can_list_members(user) -> bool:
    """Every staff role lists the members of its own scope."""
    return user is not None and user.role != "member"


def can_review_members(user, member=None) -> bool:
    """The review buttons on the member list: community secretaries (each member then checks
    ``can_review_member``)."""
    return user is not None and user.role == "community_secretary"


def can_view_own_service(user, obj=None) -> bool:
    """我的 / 我的服务: a party member's own record and service; staff keep none."""
    return user is not None and user.role == "member"


def can_move_self(user, obj=None) -> bool:
    """搬家 / 更换单位: a party member changes their own community, grid or unit."""
    return user is not None and user.role == "member" and bool(user.active)
