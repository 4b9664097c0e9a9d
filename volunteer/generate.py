"""``volunteer generate-district``: SPEC.md's district scale of synthetic data, in bulk inserts.

14 streets, 200 communities, 1,500 grids, 3,000 units, 24 general and 344 functional branches,
27,000 members, a year of 40,000 tasks with 400,000 claims (checked in, out and confirmed for
the past ones), 20,000 wishes and 8,000 residents' requests — multiplied by ``--scale`` and
deterministic for a ``--seed``. Ids are assigned here so rows link without round trips; every
synthetic account shares one password (printed), and phones use the 199 0000 xxxx test range.
"""

import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, text

from volunteer.auth.models import User
from volunteer.auth.services import hash_password
from volunteer.core.time import local_zone, utcnow
from volunteer.extensions import db
from volunteer.members.models import SKILLS, MemberSkill
from volunteer.orgs.models import Branch, Community, Grid, Street, Unit, UnitCommunity
from volunteer.requests.models import CATEGORIES as REQUEST_CATEGORIES
from volunteer.requests.models import RequestEvent, ServiceRequest
from volunteer.stats import summaries as summary
from volunteer.tasks.models import CATEGORIES, Claim, Task, TaskSkill
from volunteer.wishes.models import HOUSEHOLD_KINDS, Wish, WishClaim

PASSWORD = "Tongtong2026"
STREETS = ["城东街道", "和平桥街道", "任港街道", "新城桥街道", "虹桥街道", "学田街道",
           "钟秀街道", "文峰街道", "观音山街道", "狼山镇街道", "幸福街道", "陈桥街道",
           "唐闸镇街道", "天生港镇街道"]
PLACE = "濠南濠西濠东北濠新城桥文峰钟秀虹桥公园五一光明和平永兴学田友谊青年建设盛和海港长桥桃园"
UNIT_KINDS = [("school", "南通市第{}中学"), ("hospital", "南通市第{}人民医院"),
              ("bureau", "崇川区第{}行政服务中心"), ("enterprise", "南通{}实业有限公司"),
              ("institution", "南通市第{}事业服务中心")]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金"
    "石廖贾夏韦顾"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志海"
    "燕红梅晓东文博宇轩涵欣怡浩然雨萱俊佳思远"
)
BASE = {"streets": 14, "communities": 200, "grids": 1500, "units": 3000, "general": 24,
        "branches": 344, "members": 27000, "tasks": 40000, "claims": 400000, "wishes": 20000,
        "requests": 8000}
CHUNK = 5000


class NotEmpty(Exception):
    """The database already holds organisations."""


def counts(scale: float) -> dict[str, int]:
    """The number of each object at ``scale`` (at least a handful of each)."""
    return {key: max(2 if key == "streets" else 3, round(value * scale))
            for key, value in BASE.items()}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _bulk(model, rows: list[dict], tick: Callable[[int], None]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start:start + CHUNK])
        tick(len(rows[start:start + CHUNK]))


def _fix_sequences(models) -> None:
    if db.engine.dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 1))"))


def generate(*, scale: float = 1.0, seed: int = 2022, now: datetime | None = None,
             tick: Callable[[int], None] = lambda n: None) -> dict[str, int]:
    """Fill an empty database; answers what was created. The caller commits."""
    if db.session.scalar(select(func.count()).select_from(Street)):
        raise NotEmpty("数据库中已有组织数据，generate-district 只用于空数据库")
    rng = random.Random(seed)
    now = now or utcnow()
    n = counts(scale)
    password = hash_password(PASSWORD)
    created = dict.fromkeys(n, 0)
    list(_generate(rng, n, now, password, tick, created))
    created["service_months"] = summary.rebuild()
    _fix_sequences([Street, Community, Grid, Unit, Branch, User, Task, Claim, Wish, WishClaim,
                    ServiceRequest, RequestEvent])
    return created


def analyse() -> None:
    """Refresh the planner's statistics after a bulk load (the caller has committed); on
    PostgreSQL also vacuum, as autovacuum would in its own time: the visibility map lets the
    review's covering indexes answer without reading the tables."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        return
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def _generate(rng, n, now, password, tick, created) -> Iterator[None]:
    streets = [{"id": i + 1, "name": STREETS[i % len(STREETS)] + ("" if i < len(STREETS) else
               str(i // len(STREETS) + 1)), "created_at": now} for i in range(n["streets"])]
    _bulk(Street, streets, tick)
    communities = []
    for i in range(n["communities"]):
        street = streets[i % len(streets)]
        name = PLACE[(i * 2) % len(PLACE):(i * 2) % len(PLACE) + 2] + f"{i // 20 + 1}村社区"
        communities.append({"id": i + 1, "name": name, "street_id": street["id"],
                            "created_at": now})
    _bulk(Community, communities, tick)
    grids = [{"id": i + 1, "name": f"第{i // len(communities) + 1}网格",
              "community_id": communities[i % len(communities)]["id"], "parent_id": None,
              "created_at": now} for i in range(n["grids"])]
    _bulk(Grid, grids, tick)
    grids_of: dict[int, list[int]] = {}
    for grid in grids:
        grids_of.setdefault(grid["community_id"], []).append(grid["id"])
    units = []
    for i in range(n["units"]):
        kind, pattern = UNIT_KINDS[i % len(UNIT_KINDS)]
        units.append({"id": i + 1, "name": pattern.format(i + 1), "kind": kind,
                      "created_at": now})
    _bulk(Unit, units, tick)
    links = {(rng.randrange(n["units"]) + 1, c["id"]) for c in communities for _ in range(3)}
    _bulk(UnitCommunity, [{"unit_id": u, "community_id": c, "created_at": now}
                          for u, c in sorted(links)], tick)
    branches, branch_id = [], 0
    for i in range(n["general"]):
        branch_id += 1
        branches.append({"id": branch_id, "name": f"在职党员功能型党总支{i + 1}",
                         "level": "general",
                         "community_id": communities[i % len(communities)]["id"],
                         "parent_id": None, "created_at": now})
    for i in range(n["branches"]):
        branch_id += 1
        branches.append({"id": branch_id, "name": f"在职党员功能型党支部{i + 1}",
                         "level": "branch",
                         "community_id": communities[(i * 7) % len(communities)]["id"],
                         "parent_id": None, "created_at": now})
    _bulk(Branch, branches, tick)
    branches_of: dict[int, list[int]] = {}
    for branch in branches:
        if branch["level"] == "branch":
            branches_of.setdefault(branch["community_id"], []).append(branch["id"])
    yield

    street_of = {c["id"]: c["street_id"] for c in communities}
    users, skills, user_id = [], [], 0
    year_ago = now - timedelta(days=400)

    def staff(role, name, **scope):
        nonlocal user_id
        user_id += 1
        users.append({"id": user_id, "phone": f"1990{user_id:07d}", "name": name,
                      "email": None, "password_hash": password, "role": role,
                      "status": "approved", "active": True, "session_version": 1,
                      "street_id": scope.get("street_id"), "community_id":
                      scope.get("community_id"), "grid_id": scope.get("grid_id"),
                      "unit_id": scope.get("unit_id"), "branch_id": scope.get("branch_id"),
                      "created_at": year_ago})
        return user_id

    staff("district_admin", "区委组织部")
    for street in streets:
        staff("street_reviewer", f"{street['name']}党工委", street_id=street["id"])
    secretary_of = {}
    for community in communities:
        secretary_of[community["id"]] = staff(
            "community_secretary", f"{community['name']}书记", community_id=community["id"],
            street_id=community["street_id"])
    grid_worker_of = {}
    for grid in grids:
        grid_worker_of[grid["id"]] = staff(
            "grid_worker", _name(rng), grid_id=grid["id"], community_id=grid["community_id"],
            street_id=street_of[grid["community_id"]])
    for branch in branches:
        staff("branch_secretary", _name(rng), branch_id=branch["id"],
              community_id=branch["community_id"], street_id=street_of[branch["community_id"]])
    for unit in units[: max(3, len(units) // 10)]:
        staff("unit_contact", f"{unit['name']}党委", unit_id=unit["id"])
    members_of: dict[int, list[int]] = {}
    member_skills: dict[int, list[str]] = {}
    skill_codes = list(SKILLS)
    for i in range(n["members"]):
        user_id += 1
        community = communities[rng.randrange(len(communities))]
        roll = rng.random()
        status = "approved" if roll < 0.94 else ("pending" if roll < 0.98 else "rejected")
        own_branches = branches_of.get(community["id"], [])
        users.append({
            "id": user_id, "phone": f"1990{user_id:07d}", "name": _name(rng),
            "email": f"m{user_id}@example.org" if i % 10 == 0 else None,
            "password_hash": password, "role": "member", "status": status, "active": True,
            "session_version": 1, "street_id": community["street_id"],
            "community_id": community["id"],
            "grid_id": rng.choice(grids_of[community["id"]]) if grids_of.get(community["id"])
            else None,
            "unit_id": rng.randrange(len(units)) + 1,
            "branch_id": rng.choice(own_branches) if own_branches and rng.random() < 0.6
            else None,
            "industry": rng.choice(["government", "education", "health", "state_enterprise",
                                    "private_enterprise", "institution"]),
            "reject_reason": "信息不全" if status == "rejected" else None,
            "created_at": year_ago + timedelta(days=rng.randrange(60))})
        if status == "approved":
            members_of.setdefault(community["id"], []).append(user_id)
        tags = rng.sample(skill_codes, rng.choice([0, 0, 1, 1, 2, 3]))
        member_skills[user_id] = tags
        skills.extend({"user_id": user_id, "tag": tag} for tag in tags)
    _bulk(User, users, tick)
    _bulk(MemberSkill, skills, tick)
    created.update(streets=len(streets), communities=len(communities), grids=len(grids),
                   units=len(units), general=n["general"], branches=n["branches"],
                   members=n["members"])
    yield

    zone = local_zone()
    first_day = (now - timedelta(days=365)).astimezone(zone).date()
    categories = [c for c in CATEGORIES if c != "wish"]
    tasks, task_skills, claims = [], [], []
    per_task = max(1, round(n["claims"] / n["tasks"]))
    claim_id = 0
    for i in range(n["tasks"]):
        community = communities[rng.randrange(len(communities))]
        day = first_day + timedelta(days=rng.randrange(395))
        start = datetime(day.year, day.month, day.day, rng.choice([7, 8, 9, 14, 15, 19]),
                         tzinfo=zone)
        minutes = rng.choice([60, 90, 120, 150, 180, 240])
        end = start + timedelta(minutes=minutes)
        members = members_of.get(community["id"], [])
        slots = rng.randint(max(1, per_task - 4), per_task + 4)
        taken = rng.sample(members, min(len(members), slots, rng.randint(per_task - 3,
                                                                          per_task + 3)))
        status = "cancelled" if rng.random() < 0.02 else "open"
        category = rng.choice(categories)
        tasks.append({"id": i + 1, "community_id": community["id"],
                      "street_id": community["street_id"],
                      "grid_id": rng.choice(grids_of.get(community["id"], [None])),
                      "created_by_id": secretary_of[community["id"]], "title":
                      CATEGORIES[category], "category": category, "description": "",
                      "location": f"{community['name']}党群服务中心", "starts_at": start,
                      "ends_at": end, "slots": slots,
                      "slots_taken": 0 if status == "cancelled" else len(taken),
                      "visibility": "community", "status": status, "created_at":
                      start - timedelta(days=3), "published_at": start - timedelta(days=3)})
        if rng.random() < 0.2:
            task_skills.append({"task_id": i + 1, "tag": rng.choice(skill_codes)})
        if status == "cancelled":
            continue
        past = end < now
        for member_id in taken:
            claim_id += 1
            row = {"id": claim_id, "task_id": i + 1, "member_id": member_id,
                   "status": "claimed", "created_at": start - timedelta(days=2),
                   "no_show": False, "adjusted": False}
            if past:
                outcome = rng.random()
                if outcome < 0.05:
                    row["no_show"] = True
                    row["confirmed_at"] = end + timedelta(hours=2)
                else:
                    served = minutes - rng.choice([0, 0, 0, 10, 20])
                    row.update(checked_in_at=start, check_in_method=rng.choice(
                        ["button", "scanned"]), checked_out_at=start + timedelta(minutes=served),
                        self_minutes=served)
                    if outcome < 0.92:
                        row.update(confirmed_at=end + timedelta(hours=3),
                                   confirmed_by_id=secretary_of[community["id"]],
                                   confirmed_minutes=served, quality=rng.choice([3, 4, 4, 5, 5]))
                        if rng.random() < 0.3:
                            row["satisfaction"] = rng.choice([4, 5, 5, 5])
            claims.append(row)
    _bulk(Task, tasks, tick)
    _bulk(TaskSkill, task_skills, tick)
    created["tasks"] = len(tasks)
    # one insert shape per chunk: fill the optional columns explicitly
    optional = ("checked_in_at", "check_in_method", "checked_out_at", "self_minutes",
                "confirmed_at", "confirmed_by_id", "confirmed_minutes", "quality", "satisfaction")
    for row in claims:
        for key in optional:
            row.setdefault(key, None)
    _bulk(Claim, claims, tick)
    created["claims"] = len(claims)
    yield

    wishes, wish_claims = [], []
    kinds = list(HOUSEHOLD_KINDS)
    wish_claim_id = 0
    for i in range(n["wishes"]):
        community = communities[rng.randrange(len(communities))]
        grid_id = rng.choice(grids_of.get(community["id"], [None]))
        created_at = now - timedelta(days=rng.randrange(365), hours=rng.randrange(24))
        members = members_of.get(community["id"], [])
        roll = rng.random()
        status = ("confirmed" if roll < 0.7 else "fulfilled" if roll < 0.75 else "claimed"
                  if roll < 0.85 else "published" if roll < 0.95 else "submitted")
        row = {"id": i + 1, "community_id": community["id"], "street_id": community["street_id"],
               "grid_id": grid_id, "created_by_id": grid_worker_of.get(grid_id) or
               secretary_of[community["id"]], "household_kind": rng.choice(kinds),
               "beneficiary_name": _name(rng), "address": f"{community['name']}{i % 60 + 1}幢",
               "phone": f"1990{9000000 + i:07d}", "content": rng.choice(
                   ["一台电风扇", "冬季棉被一床", "孩子的课外读物", "一辆助行器", "米面油一份",
                    "血压计一台", "书包和文具"]), "value": rng.randrange(50, 500),
               "deadline": None, "photo": None, "is_group": False, "max_claimants": 1,
               "claims_taken": 0, "status": status, "created_at": created_at,
               "updated_at": created_at, "published_at": None, "claimed_at": None,
               "fulfilled_at": None, "fulfilled_by_id": None, "confirmed_at": None,
               "satisfaction": None, "on_wall": False}
        if status != "submitted":
            row["published_at"] = created_at + timedelta(days=1)
        if status in ("claimed", "fulfilled", "confirmed") and members:
            claimant = rng.choice(members)
            wish_claim_id += 1
            row.update(claims_taken=1, claimed_at=created_at + timedelta(days=2))
            wish_claims.append({"id": wish_claim_id, "wish_id": i + 1, "member_id": claimant,
                                "created_at": row["claimed_at"], "state": "accepted",
                                "decided_at": row["claimed_at"]})
            if status in ("fulfilled", "confirmed"):
                row.update(fulfilled_at=created_at + timedelta(days=5), fulfilled_by_id=claimant)
            if status == "confirmed":
                row.update(confirmed_at=created_at + timedelta(days=6),
                           satisfaction=rng.choice([4, 5, 5]), on_wall=rng.random() < 0.1)
        elif status in ("claimed", "fulfilled", "confirmed"):
            row["status"] = "published"
        wishes.append(row)
    _bulk(Wish, wishes, tick)
    _bulk(WishClaim, wish_claims, tick)
    created["wishes"] = len(wishes)

    requests, events = [], []
    request_categories = list(REQUEST_CATEGORIES)
    for i in range(n["requests"]):
        community = communities[rng.randrange(len(communities))]
        created_at = now - timedelta(days=rng.randrange(365), hours=rng.randrange(24))
        members = members_of.get(community["id"], [])
        roll = rng.random()
        status = ("completed" if roll < 0.75 else "taken" if roll < 0.8 else "dispatched"
                  if roll < 0.85 else "accepted" if roll < 0.9 else "rejected" if roll < 0.95
                  else "submitted")
        row = {"id": i + 1, "tracking_code": f"G{i + 1:09d}", "community_id": community["id"],
               "street_id": community["street_id"], "grid_id": None, "name": _name(rng),
               "phone": f"1990{8000000 + i:07d}", "address": f"{community['name']}{i % 80 + 1}幢",
               "category": rng.choice(request_categories), "description": "需要帮助",
               "status": status, "created_at": created_at, "accepted_at": None,
               "dispatched_at": None, "assignee_id": None, "taken_at": None,
               "completed_at": None, "rating": None, "rejected_at": None}
        events.append({"request_id": i + 1, "action": "submitted", "created_at": created_at})
        if status == "rejected":
            row["rejected_at"] = created_at + timedelta(hours=5)
        elif status != "submitted":
            row["accepted_at"] = created_at + timedelta(hours=rng.randint(1, 30))
            events.append({"request_id": i + 1, "action": "accepted",
                           "created_at": row["accepted_at"]})
            if status in ("dispatched", "taken", "completed") and members:
                row.update(dispatched_at=row["accepted_at"] + timedelta(hours=rng.randint(1, 50)),
                           assignee_id=rng.choice(members))
                events.append({"request_id": i + 1, "action": "dispatched",
                               "created_at": row["dispatched_at"]})
                if status in ("taken", "completed"):
                    row["taken_at"] = row["dispatched_at"] + timedelta(hours=2)
                if status == "completed":
                    row.update(completed_at=row["taken_at"] + timedelta(days=1),
                               rating=rng.choice([None, 4, 5, 5]))
            elif status in ("dispatched", "taken", "completed"):
                row["status"] = "accepted"
        requests.append(row)
    for index, event in enumerate(events, start=1):
        event.update(id=index, actor_id=None, member_id=None, note=None)
    _bulk(ServiceRequest, requests, tick)
    _bulk(RequestEvent, events, tick)
    created["requests"] = len(requests)
    yield


def total_rows(scale: float) -> int:
    """Roughly how many rows a run inserts (for the progress bar)."""
    n = counts(scale)
    return int(sum(n.values()) + n["members"] * 1.2 + n["grids"] + n["wishes"] * 0.8 +
               n["requests"] * 2.5 + n["tasks"] * 0.2)
