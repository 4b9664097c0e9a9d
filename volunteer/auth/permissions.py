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
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    if viewer.id == person.id or viewer.role == "district_admin":
        return True
    if viewer.role in ("community_secretary", "grid_worker"):
        return person.community_id is not None and viewer.community_id == person.community_id
    return False


def shown_phone(viewer, person) -> str:
    """The phone as ``viewer`` may see it: whole or masked."""
    return person.phone if can_see_phone(viewer, person) else mask_phone(person.phone)


def can_manage_staff(user) -> bool:
    """Only the district admin creates staff accounts."""
    return user is not None and user.role == "district_admin"
