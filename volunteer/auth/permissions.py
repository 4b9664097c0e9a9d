"""Who may see what of an account."""


def mask_phone(phone: str | None) -> str:
    """``13812345678`` → ``138****5678``."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def can_see_phone(viewer, person) -> bool:
    """The person, the district admin, and their community's secretary and grid worker."""
    return phone_rule(viewer)(person.id, person.community_id)


def phone_rule(viewer):
    """``can_see_phone`` decided once for ``viewer``: a function of a person's id and community
    id (a table of 27,000 members asks it for each)."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return lambda person_id, community_id: False
    if viewer.role == "district_admin":
        return lambda person_id, community_id: True
    own_id = viewer.id
    if viewer.role in ("community_secretary", "grid_worker") and viewer.community_id is not None:
        own_community = viewer.community_id
        return lambda person_id, community_id: (person_id == own_id
                                                or community_id == own_community)
    return lambda person_id, community_id: person_id == own_id


def shown_phone(viewer, person) -> str:
    """The phone as ``viewer`` may see it: whole or masked."""
    return person.phone if can_see_phone(viewer, person) else mask_phone(person.phone)


def can_manage_staff(user) -> bool:
    """Only the district admin creates staff accounts."""
    return user is not None and user.role == "district_admin"


def can_view_audit_log(user, entry=None) -> bool:
    """The operations log (操作日志): the district admin."""
    return user is not None and user.role == "district_admin"


def can_open_workbench(user, obj=None) -> bool:
    """工作台 (/home), the to-do list and figures of one's scope: every staff role; a member's
    home is 我的 (members.me), which shows their own to-do list."""
    return user is not None and getattr(user, "role", "member") != "member"
