"""Who may post, see, claim and manage tasks, and confirm and rate claims."""


def can_post_task(user) -> bool:
    """A community secretary posts tasks for their own community."""
    return (user is not None and user.role == "community_secretary"
            and user.community_id is not None)


def can_manage_task(user, task) -> bool:
    """Edit, publish, cancel, see the roster, confirm: the secretary of the task's community."""
    return can_post_task(user) and user.community_id == task.community_id


def can_view_roster(user, task) -> bool:
    """The roster: the managing secretary, the community's grid workers, the district admin."""
    if user is None:
        return False
    if can_manage_task(user, task) or user.role == "district_admin":
        return True
    return user.role == "grid_worker" and user.community_id == task.community_id


def is_visible_to_member(member, task) -> bool:
    """A published task within the member's reach: own community, street or district-wide."""
    if task.status == "draft":
        return False
    if task.community_id == member.community_id or task.visibility == "district":
        return True
    return task.visibility == "street" and task.street_id == member.street_id


def can_view_task(user, task) -> bool:
    """Members see published tasks within reach; staff see tasks of their scope; drafts only
    the managing secretary."""
    if user is None:
        return False
    if user.role == "member":
        return is_visible_to_member(user, task)
    if can_manage_task(user, task) or user.role == "district_admin":
        return True
    if task.status == "draft":
        return False
    if user.role in ("community_secretary", "grid_worker"):
        return user.community_id == task.community_id or is_visible_to_member(user, task)
    if user.role == "street_reviewer":
        return user.street_id == task.street_id
    return False


def can_claim_task(user, task) -> bool:
    """Only approved members claim tasks they can see."""
    return (user is not None and user.role == "member" and user.status == "approved"
            and is_visible_to_member(user, task))


def can_confirm_claim(user, claim) -> bool:
    """Confirm hours, rate quality, mark no-shows, remove: the managing secretary."""
    return can_manage_task(user, claim.task)


def can_rate_for_task(user, task) -> bool:
    """Enter residents' satisfaction: the secretary or a grid worker of the task's community."""
    if user is None:
        return False
    if can_manage_task(user, task):
        return True
    return user.role == "grid_worker" and user.community_id == task.community_id


def can_rate_satisfaction(user, claim) -> bool:
    """The resident's satisfaction with one claimant's service."""
    return can_rate_for_task(user, claim.task)


def can_browse_tasks(user, task=None) -> bool:
    """The task list: members, and the staff whose scope holds tasks (not unit contacts)."""
    return user is not None and user.role in (
        "member", "district_admin", "street_reviewer", "community_secretary", "grid_worker",
        "branch_secretary")


def can_open_rosters(user, task=None) -> bool:
    """The roster button on the task list: secretaries, grid workers and the district admin
    (each roster then checks ``can_view_roster`` for its own task)."""
    return user is not None and user.role in ("community_secretary", "grid_worker",
                                              "district_admin")
