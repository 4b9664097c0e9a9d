"""微心愿 services: collecting and reviewing (``recording``), claims, acceptance and releases
(``claims``), fulfilment and confirmation (``fulfilment``), reading, listing and flags
(``reading``); limits, refusals and input checks live in ``rules``.

Collecting, reviewing, claiming (race-free), accepting claims, fulfilling and confirming
微心愿. A claim holds its place at once but shows the household only once the wish's community
staff accept it; a member may release at most ``release_limit()`` claims in ``RELEASE_WINDOW``.

Every name is re-exported here, so ``from volunteer.wishes import services`` keeps working."""

from volunteer.wishes import photos
from volunteer.wishes.services.claims import (
    _check_decider,
    _deciders,
    _end_claim,
    _free_place,
    _lock_member,
    _pending_claim,
    accept_wish_claim,
    claim_wish,
    count_recent_releases,
    refuse_wish_claim,
    release_wish,
    releases_left,
)
from volunteer.wishes.services.fulfilment import (
    attach_photo,
    confirm_wish,
    fulfil_wish,
    photo_for,
)
from volunteer.wishes.services.reading import (
    count_awaiting,
    count_flags,
    count_fulfilled,
    flag_clause,
    flags_of,
    get_wish,
    list_wall_stmt,
    list_wishes_stmt,
)
from volunteer.wishes.services.recording import (
    create_wish,
    publish_wish,
    return_wish,
    update_wish,
)
from volunteer.wishes.services.rules import (
    ADDRESS_MAX,
    CONTENT_MAX,
    NAME_MAX,
    NOTE_MAX,
    PHONE_RE,
    RELEASE_WINDOW,
    AlreadyClaimed,
    ClaimRefused,
    NotApproved,
    ReleaseLimit,
    WishTaken,
    _clean_wish,
    _move,
    _secretaries,
    local_today,
    max_group,
    max_value,
    release_limit,
    unclaimed_days,
)

# the underscore names too: tests and callers reach them through the package
__all__ = [
    "_check_decider",
    "_clean_wish",
    "_deciders",
    "_end_claim",
    "_free_place",
    "_lock_member",
    "_move",
    "_pending_claim",
    "_secretaries",
    "accept_wish_claim",
    "ADDRESS_MAX",
    "AlreadyClaimed",
    "attach_photo",
    "claim_wish",
    "ClaimRefused",
    "confirm_wish",
    "CONTENT_MAX",
    "count_awaiting",
    "count_flags",
    "count_fulfilled",
    "count_recent_releases",
    "create_wish",
    "flag_clause",
    "flags_of",
    "fulfil_wish",
    "get_wish",
    "list_wall_stmt",
    "list_wishes_stmt",
    "local_today",
    "max_group",
    "max_value",
    "NAME_MAX",
    "NotApproved",
    "NOTE_MAX",
    "PHONE_RE",
    "photo_for",
    "photos",
    "publish_wish",
    "refuse_wish_claim",
    "release_limit",
    "RELEASE_WINDOW",
    "release_wish",
    "ReleaseLimit",
    "releases_left",
    "return_wish",
    "unclaimed_days",
    "update_wish",
    "WishTaken",
]
