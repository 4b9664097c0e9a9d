"""Who may reset a password, hand a staff account over, change a member's phone."""


def can_reset_password(user, account) -> bool:
    """The district admin (any other account); a community secretary: members of their own
    community. Nobody resets their own password this way (they change it)."""
    if user is None or account is None or user.id == account.id:
        return False
    if user.role == "district_admin":
        return True
    return (user.role == "community_secretary" and account.role == "member"
            and user.community_id is not None and user.community_id == account.community_id)


def can_manage_turnover(user, account=None) -> bool:
    """换届: the district admin changes a staff account's scope or hands it to a successor."""
    if user is None or user.role != "district_admin":
        return False
    return account is None or (account.role not in ("member", "district_admin")
                               and account.id != user.id)


def can_change_member_phone(user, member) -> bool:
    """A member's login phone: their community's secretary, or the district admin."""
    if user is None or member is None or member.role != "member":
        return False
    if user.role == "district_admin":
        return True
    return (user.role == "community_secretary" and user.community_id is not None
            and user.community_id == member.community_id)
