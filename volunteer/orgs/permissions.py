"""Who may manage and see organisations."""


def can_manage_orgs(user) -> bool:
    """The district admin sets up streets, communities, grids, units and branches."""
    return user is not None and getattr(user, "role", None) == "district_admin"
