"""Who sees which dashboard, and who commends whom."""


def can_view_scope(user, scope) -> bool:
    """District: the admin; a street: its reviewer; a community, grid or branch: also its
    secretaries; a unit: its contact. Members see no dashboard."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    role = user.role
    if role == "district_admin":
        return True
    if scope.kind == "district" or role == "member":
        return False
    if role == "street_reviewer":
        return scope.kind != "unit" and scope.street_id == user.street_id
    if role == "community_secretary":
        return scope.kind in ("community", "branch") and scope.community_id == user.community_id
    if role == "branch_secretary":
        return scope.kind == "branch" and scope.id == user.branch_id
    if role == "unit_contact":
        return scope.kind == "unit" and scope.id == user.unit_id
    return False


def can_commend_member(user, member) -> bool:
    """A street reviewer commends approved members living in the street."""
    return (user is not None and getattr(user, "role", None) == "street_reviewer"
            and member.role == "member" and member.status == "approved"
            and member.street_id is not None and member.street_id == user.street_id)


def can_withdraw_commendation(user, commendation) -> bool:
    """The reviewers of the street that commended."""
    return (user is not None and getattr(user, "role", None) == "street_reviewer"
            and user.street_id == commendation.street_id)


def can_see_hours_export(user) -> bool:
    """The national-registry hours export: staff who review (not members, not grid workers)."""
    return can_view_dashboards(user)


def can_view_dashboards(user, scope=None) -> bool:
    """The 统计 section: the district admin and the staff of a street, community, branch or
    unit (each dashboard then checks ``can_view_scope``)."""
    return user is not None and getattr(user, "role", None) in (
        "district_admin", "street_reviewer", "community_secretary", "branch_secretary",
        "unit_contact")


def can_commend_in_scope(user, scope) -> bool:
    """The commend buttons on a dashboard: a street reviewer on a street's dashboard."""
    return (user is not None and getattr(user, "role", None) == "street_reviewer"
            and scope.kind == "street")
