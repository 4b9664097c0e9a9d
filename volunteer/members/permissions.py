"""Who may review and see members."""


def can_review_member(user, member) -> bool:
    """Approve or reject: the secretary of the member's residential community."""
    return (user is not None and member.role == "member"
            and user.role == "community_secretary"
            and user.community_id is not None and user.community_id == member.community_id)


def can_set_member_branch(user, member) -> bool:
    """Place a member in a functional branch, or take them out: the secretary of the member's
    residential community."""
    return can_review_member(user, member)


def leads_branch(user, branch) -> bool:
    """The secretary of ``branch`` or of an organisation above it (a 总支 over its 支部, a 支部
    over its 小组)."""
    if user is None or user.role != "branch_secretary" or user.branch_id is None:
        return False
    for _level in range(4):  # general → branch → group: three levels at most
        if branch is None:
            return False
        if branch.id == user.branch_id:
            return True
        branch = branch.parent
    return False


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
        return member.branch is not None and leads_branch(user, member.branch)
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


def can_view_member_record(user, member) -> bool:
    """The member's record (hours, services, ratings, commendations): staff whose scope holds
    the member — community secretary and grid worker, street reviewer, branch secretary, unit
    contact, district admin. The member reads their own on 我的 / 我的服务."""
    return (user is not None and user.role != "member"
            and can_view_member(user, member))


def can_view_member_history(user, member) -> bool:
    """The record's history (approvals, moves, deactivation, with their reasons): the
    secretary of the member's community, the street reviewer of its street, the district
    admin."""
    if user is None or member.role != "member":
        return False
    if user.role == "district_admin":
        return True
    if user.role == "community_secretary":
        return can_review_member(user, member)
    return user.role == "street_reviewer" and can_view_member(user, member)


def can_manage_member(user, member) -> bool:
    """停用 / 启用 / 转出 a member: the secretary of the member's residential community."""
    return can_review_member(user, member) and member.anonymised_at is None


def can_search_by_phone(user, obj=None) -> bool:
    """Search the member list by phone: those who see whole phones (the district admin, the
    community secretary and grid worker)."""
    return user is not None and user.role in ("district_admin", "community_secretary",
                                              "grid_worker")
def can_move_self(user, obj=None) -> bool:
    """搬家 / 更换单位: a party member changes their own community, grid or unit."""
    return user is not None and user.role == "member" and bool(user.active)
