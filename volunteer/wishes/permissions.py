"""Who may record, review, see, claim, fulfil and confirm wishes."""

COMMUNITY_STAFF = ("community_secretary", "grid_worker")


def is_community_staff(user, community_id) -> bool:
    """The secretary or a grid worker of that community."""
    return (user is not None and user.role in COMMUNITY_STAFF
            and user.community_id is not None and user.community_id == community_id)


def can_record_wish(user) -> bool:
    """Grid workers collect wishes (a secretary may record one too)."""
    return (user is not None and user.role in COMMUNITY_STAFF
            and user.community_id is not None)


def can_review_wish(user, wish) -> bool:
    """Publish, return, edit a published wish: the secretary of the wish's community."""
    return (user is not None and user.role == "community_secretary"
            and user.community_id == wish.community_id)


def can_edit_wish(user, wish) -> bool:
    """Before review the community's staff edit; once published, only the secretary, and only
    while nobody has claimed it."""
    if wish.status in ("submitted", "returned"):
        return is_community_staff(user, wish.community_id)
    return wish.status == "published" and wish.claims_taken == 0 and can_review_wish(user, wish)


def holds_claim(user, wish) -> bool:
    """A live claim: waiting for the community's staff or accepted."""
    return user is not None and user.role == "member" and user.id in wish.claimant_ids


def holds_accepted_claim(user, wish) -> bool:
    return user is not None and user.role == "member" and user.id in wish.accepted_ids


def awaits_acceptance(user, wish) -> bool:
    """The member's claim still waits for the community's staff ("等待社区确认")."""
    return holds_claim(user, wish) and not holds_accepted_claim(user, wish)


def can_see_household(user, wish) -> bool:
    """Name, address, phone and photo: the community's staff, the district, and a claimant
    only once the community's staff accepted the claim."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role == "district_admin" or is_community_staff(user, wish.community_id):
        return True
    return holds_accepted_claim(user, wish)


def decides_claims(user, wish) -> bool:
    """The wish's community staff: its community's secretary, the grid worker of its grid (any
    of the community's grid workers when it has none) and the grid worker who recorded it."""
    if not is_community_staff(user, wish.community_id):
        return False
    if user.role == "community_secretary" or wish.created_by_id == user.id:
        return True
    return wish.grid_id is None or user.grid_id == wish.grid_id


def can_accept_wish_claim(user, wish) -> bool:
    """Accept a waiting claim (and so show the household to the claimant) or refuse it with a
    reason: the wish's community staff, while the wish is open or claimed."""
    return wish.status in ("published", "claimed") and decides_claims(user, wish)


def can_see_claim_history(user, wish) -> bool:
    """Who claimed, was refused and released what: the community's staff and the district."""
    return user is not None and user.role != "member" and can_see_household(user, wish)


def in_reach(member, wish) -> bool:
    """A member's reach: wishes of the own community, and (filtered) of the own street."""
    return wish.community_id == member.community_id or (
        member.street_id is not None and wish.street_id == member.street_id)


def can_view_wish(user, wish) -> bool:
    """Staff see their scope; members see published wishes within reach and those they hold."""
    if user is None:
        return False
    if user.role == "member":
        if holds_claim(user, wish):
            return True
        return wish.status in ("published", "claimed") and in_reach(user, wish)
    if user.role == "district_admin" or is_community_staff(user, wish.community_id):
        return True
    return user.role == "street_reviewer" and user.street_id == wish.street_id


def can_claim_wish(user, wish) -> bool:
    """Approved members claim published wishes within reach."""
    return (user is not None and user.role == "member" and user.status == "approved"
            and wish.status == "published" and in_reach(user, wish))


def can_fulfil_wish(user, wish) -> bool:
    """A claimant whose claim was accepted marks the wish fulfilled."""
    return wish.status in ("published", "claimed") and holds_accepted_claim(user, wish)


def can_release_wish(user, wish) -> bool:
    """A claimant, accepted or still waiting, may give a wish back before it is fulfilled
    (within the weekly release limit, which the service counts)."""
    return wish.status in ("published", "claimed") and holds_claim(user, wish)


def can_confirm_wish(user, wish) -> bool:
    """The secretary or a grid worker of the community confirms with the household."""
    return wish.status == "fulfilled" and is_community_staff(user, wish.community_id)


def can_list_wishes(user) -> bool:
    """The 微心愿 list: members and the staff of communities and streets, and the district
    admin (branch secretaries and unit contacts have none)."""
    return user is not None and user.role in ("member", "community_secretary", "grid_worker",
                                              "street_reviewer", "district_admin")
