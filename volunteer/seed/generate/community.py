"""What the community asks for: micro-wishes (with their claims) and residents' requests (with
their events)."""

from datetime import timedelta

from volunteer.requests.models import CATEGORIES as REQUEST_CATEGORIES
from volunteer.requests.models import RequestEvent, ServiceRequest
from volunteer.seed.generate.common import World
from volunteer.wishes.models import HOUSEHOLD_KINDS, Wish, WishClaim

WISH_CONTENTS = ["一台电风扇", "冬季棉被一床", "孩子的课外读物", "一辆助行器", "米面油一份",
                 "血压计一台", "书包和文具"]


def _wish(w: World, i: int, kinds: list[str], wish_claims: list[dict]) -> dict:
    """One wish's row; a claimed one's claim is appended to ``wish_claims``."""
    rng, now = w.rng, w.now
    community = w.communities[rng.randrange(len(w.communities))]
    grid_id = rng.choice(w.grids_of.get(community["id"], [None]))
    created_at = now - timedelta(days=rng.randrange(365), hours=rng.randrange(24))
    members = w.members_of.get(community["id"], [])
    roll = rng.random()
    status = ("confirmed" if roll < 0.7 else "fulfilled" if roll < 0.75 else "claimed"
              if roll < 0.85 else "published" if roll < 0.95 else "submitted")
    row = {"id": i + 1, "community_id": community["id"], "street_id": community["street_id"],
           "grid_id": grid_id, "created_by_id": w.grid_worker_of.get(grid_id) or
           w.secretary_of[community["id"]], "household_kind": rng.choice(kinds),
           "beneficiary_name": w.name(), "address": f"{community['name']}{i % 60 + 1}幢",
           "phone": f"1990{9000000 + i:07d}", "content": rng.choice(WISH_CONTENTS),
           "value": rng.randrange(50, 500), "deadline": None, "photo": None, "is_group": False,
           "max_claimants": 1, "claims_taken": 0, "status": status, "created_at": created_at,
           "updated_at": created_at, "published_at": None, "claimed_at": None,
           "fulfilled_at": None, "fulfilled_by_id": None, "confirmed_at": None,
           "satisfaction": None, "on_wall": False}
    if status != "submitted":
        row["published_at"] = created_at + timedelta(days=1)
    if status not in ("claimed", "fulfilled", "confirmed"):
        return row
    if not members:
        row["status"] = "published"
        return row
    claimant = rng.choice(members)
    row.update(claims_taken=1, claimed_at=created_at + timedelta(days=2))
    wish_claims.append({"id": len(wish_claims) + 1, "wish_id": i + 1, "member_id": claimant,
                        "created_at": row["claimed_at"], "state": "accepted",
                        "decided_at": row["claimed_at"]})
    if status in ("fulfilled", "confirmed"):
        row.update(fulfilled_at=created_at + timedelta(days=5), fulfilled_by_id=claimant)
    if status == "confirmed":
        row.update(confirmed_at=created_at + timedelta(days=6),
                   satisfaction=rng.choice([4, 5, 5]), on_wall=rng.random() < 0.1)
    return row


def wishes(w: World) -> None:
    kinds = list(HOUSEHOLD_KINDS)
    rows, wish_claims = [], []
    for i in range(w.n["wishes"]):
        rows.append(_wish(w, i, kinds, wish_claims))
    w.bulk(Wish, rows)
    w.bulk(WishClaim, wish_claims)
    w.created["wishes"] = len(rows)


def _handled(w: World, i: int, row: dict, status: str, members: list[int],
             events: list[dict]) -> None:
    """An accepted request's later steps: dispatched to a member, taken, completed."""
    rng = w.rng
    row["accepted_at"] = row["created_at"] + timedelta(hours=rng.randint(1, 30))
    events.append({"request_id": i + 1, "action": "accepted", "created_at": row["accepted_at"]})
    if status not in ("dispatched", "taken", "completed"):
        return
    if not members:
        row["status"] = "accepted"
        return
    row.update(dispatched_at=row["accepted_at"] + timedelta(hours=rng.randint(1, 50)),
               assignee_id=rng.choice(members))
    events.append({"request_id": i + 1, "action": "dispatched",
                   "created_at": row["dispatched_at"]})
    if status in ("taken", "completed"):
        row["taken_at"] = row["dispatched_at"] + timedelta(hours=2)
    if status == "completed":
        row.update(completed_at=row["taken_at"] + timedelta(days=1),
                   rating=rng.choice([None, 4, 5, 5]))


def _request(w: World, i: int, categories: list[str], events: list[dict]) -> dict:
    """One request's row; its events are appended to ``events``."""
    rng = w.rng
    community = w.communities[rng.randrange(len(w.communities))]
    created_at = w.now - timedelta(days=rng.randrange(365), hours=rng.randrange(24))
    members = w.members_of.get(community["id"], [])
    roll = rng.random()
    status = ("completed" if roll < 0.75 else "taken" if roll < 0.8 else "dispatched"
              if roll < 0.85 else "accepted" if roll < 0.9 else "rejected" if roll < 0.95
              else "submitted")
    row = {"id": i + 1, "tracking_code": f"G{i + 1:09d}", "community_id": community["id"],
           "street_id": community["street_id"], "grid_id": None, "name": w.name(),
           "phone": f"1990{8000000 + i:07d}", "address": f"{community['name']}{i % 80 + 1}幢",
           "category": rng.choice(categories), "description": "需要帮助",
           "status": status, "created_at": created_at, "accepted_at": None,
           "dispatched_at": None, "assignee_id": None, "taken_at": None,
           "completed_at": None, "rating": None, "rejected_at": None}
    events.append({"request_id": i + 1, "action": "submitted", "created_at": created_at})
    if status == "rejected":
        row["rejected_at"] = created_at + timedelta(hours=5)
    elif status != "submitted":
        _handled(w, i, row, status, members, events)
    return row


def requests(w: World) -> None:
    categories = list(REQUEST_CATEGORIES)
    rows, events = [], []
    for i in range(w.n["requests"]):
        rows.append(_request(w, i, categories, events))
    for index, event in enumerate(events, start=1):
        event.update(id=index, actor_id=None, member_id=None, note=None)
    w.bulk(ServiceRequest, rows)
    w.bulk(RequestEvent, events)
    w.created["requests"] = len(rows)
