"""A year of tasks and their claims: the past ones checked in, out and mostly confirmed."""

from datetime import datetime, timedelta

from volunteer.core.time import local_zone
from volunteer.members.models import SKILLS
from volunteer.seed.generate.common import World
from volunteer.tasks.models import CATEGORIES, Claim, Task, TaskSkill

# one insert shape per chunk: the claims' optional columns are filled explicitly
OPTIONAL_CLAIM_COLUMNS = ("checked_in_at", "check_in_method", "checked_out_at", "self_minutes",
                          "confirmed_at", "confirmed_by_id", "confirmed_minutes", "quality",
                          "satisfaction")


def _served(w: World, row: dict, start: datetime, end: datetime, minutes: int,
            secretary_id: int) -> None:
    """A past claim's outcome: a no-show, or served and (mostly) confirmed and rated."""
    rng = w.rng
    outcome = rng.random()
    if outcome < 0.05:
        row["no_show"] = True
        row["confirmed_at"] = end + timedelta(hours=2)
        return
    served = minutes - rng.choice([0, 0, 0, 10, 20])
    row.update(checked_in_at=start, check_in_method=rng.choice(["button", "scanned"]),
               checked_out_at=start + timedelta(minutes=served), self_minutes=served)
    if outcome < 0.92:
        row.update(confirmed_at=end + timedelta(hours=3), confirmed_by_id=secretary_id,
                   confirmed_minutes=served, quality=rng.choice([3, 4, 4, 5, 5]))
        if rng.random() < 0.3:
            row["satisfaction"] = rng.choice([4, 5, 5, 5])


def _task(w: World, task_id: int, first_day, per_task: int, categories: list[str]):
    """One task's row and the members who claimed it."""
    rng, zone = w.rng, local_zone()
    community = w.communities[rng.randrange(len(w.communities))]
    day = first_day + timedelta(days=rng.randrange(395))
    start = datetime(day.year, day.month, day.day, rng.choice([7, 8, 9, 14, 15, 19]),
                     tzinfo=zone)
    minutes = rng.choice([60, 90, 120, 150, 180, 240])
    members = w.members_of.get(community["id"], [])
    slots = rng.randint(max(1, per_task - 4), per_task + 4)
    taken = rng.sample(members, min(len(members), slots, rng.randint(per_task - 3,
                                                                      per_task + 3)))
    status = "cancelled" if rng.random() < 0.02 else "open"
    category = rng.choice(categories)
    row = {"id": task_id, "community_id": community["id"], "street_id": community["street_id"],
           "grid_id": rng.choice(w.grids_of.get(community["id"], [None])),
           "created_by_id": w.secretary_of[community["id"]], "title": CATEGORIES[category],
           "category": category, "description": "",
           "location": f"{community['name']}党群服务中心", "starts_at": start,
           "ends_at": start + timedelta(minutes=minutes), "slots": slots,
           "slots_taken": 0 if status == "cancelled" else len(taken), "visibility": "community",
           "status": status, "created_at": start - timedelta(days=3),
           "published_at": start - timedelta(days=3)}
    return row, minutes, taken


def tasks_and_claims(w: World) -> None:
    n = w.n
    first_day = (w.now - timedelta(days=365)).astimezone(local_zone()).date()
    categories = [c for c in CATEGORIES if c != "wish"]
    skill_codes = list(SKILLS)
    tasks, task_skills, claims = [], [], []
    per_task = max(1, round(n["claims"] / n["tasks"]))
    for i in range(n["tasks"]):
        task, minutes, taken = _task(w, i + 1, first_day, per_task, categories)
        tasks.append(task)
        if w.rng.random() < 0.2:
            task_skills.append({"task_id": i + 1, "tag": w.rng.choice(skill_codes)})
        if task["status"] == "cancelled":
            continue
        start, end = task["starts_at"], task["ends_at"]
        for member_id in taken:
            row = {"id": len(claims) + 1, "task_id": i + 1, "member_id": member_id,
                   "status": "claimed", "created_at": start - timedelta(days=2),
                   "no_show": False, "adjusted": False}
            if end < w.now:
                _served(w, row, start, end, minutes, task["created_by_id"])
            claims.append(row)
    w.bulk(Task, tasks)
    w.bulk(TaskSkill, task_skills)
    w.created["tasks"] = len(tasks)
    for row in claims:
        for key in OPTIONAL_CLAIM_COLUMNS:
            row.setdefault(key, None)
    w.bulk(Claim, claims)
    w.created["claims"] = len(claims)
