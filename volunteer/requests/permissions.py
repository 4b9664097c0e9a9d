"""Who may see and move residents' requests."""

from volunteer.wishes.permissions import is_community_staff


def can_handle_request(user, req) -> bool:
    """网格接单 (accept / reject): a grid worker or the secretary of the request's community."""
    return is_community_staff(user, req.community_id)


def can_dispatch_request(user, req) -> bool:
    """社区派单 and turning into a task: the secretary of the request's community."""
    return (user is not None and user.role == "community_secretary"
            and user.community_id == req.community_id)


def is_assignee(user, req) -> bool:
    return (user is not None and user.role == "member" and req.assignee_id is not None
            and req.assignee_id == user.id)


def can_see_resident(user, req) -> bool:
    """Resident's name, phone, address: the community's staff, the district, the assignee."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role == "district_admin" or is_community_staff(user, req.community_id):
        return True
    return is_assignee(user, req) and req.status in ("dispatched", "taken", "completed")


def can_view_request(user, req) -> bool:
    """The community's staff, the district, the street's reviewer, the member it was sent to."""
    if user is None:
        return False
    if can_see_resident(user, req):
        return True
    return user.role == "street_reviewer" and user.street_id == req.street_id


def can_rate_for_resident(user, req) -> bool:
    """A grid worker (or the secretary) enters the resident's rating on their behalf."""
    return is_community_staff(user, req.community_id)


def can_list_requests(user) -> bool:
    """The 居民点单 list: members and the staff of communities and streets, and the district
    admin (branch secretaries and unit contacts have none)."""
    return user is not None and user.role in ("member", "community_secretary", "grid_worker",
                                              "street_reviewer", "district_admin")
