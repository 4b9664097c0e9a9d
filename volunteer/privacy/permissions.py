"""Who may ask for and handle the deletion of a member's account."""


def can_request_deletion(user) -> bool:
    """A member asks for their own account's deletion (once it is not already anonymised)."""
    return (user is not None and getattr(user, "role", None) == "member"
            and user.anonymised_at is None)


def can_handle_deletion_request(user, deletion) -> bool:
    """The secretary of the member's residential community, and the district admin."""
    if user is None or deletion is None:
        return False
    if user.role == "district_admin":
        return True
    member = deletion.member
    return (user.role == "community_secretary" and user.community_id is not None
            and member is not None and user.community_id == member.community_id)


def can_list_deletion_requests(user) -> bool:
    """Community secretaries (their community's) and the district admin (all)."""
    return user is not None and user.role in ("community_secretary", "district_admin")
