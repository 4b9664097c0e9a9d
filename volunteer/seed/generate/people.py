"""The accounts: one of each staff role per place it serves, then the members (with their
skills), in one insert of users."""

from datetime import timedelta

from volunteer.auth.models import User
from volunteer.members.models import SKILLS, MemberSkill
from volunteer.seed.generate.common import World

INDUSTRIES = ["government", "education", "health", "state_enterprise", "private_enterprise",
              "institution"]


def _account(w: World, user_id: int, role: str, name: str, created_at, **fields) -> dict:
    return {"id": user_id, "phone": f"1990{user_id:07d}", "name": name, "email": None,
            "password_hash": w.password, "role": role, "status": "approved", "active": True,
            "session_version": 1, "street_id": None, "community_id": None, "grid_id": None,
            "unit_id": None, "branch_id": None, "created_at": created_at, **fields}


def _staff(w: World, users: list[dict], year_ago) -> None:
    street_of = {c["id"]: c["street_id"] for c in w.communities}

    def staff(role, name, **scope):
        users.append(_account(w, len(users) + 1, role, name, year_ago, **scope))
        return len(users)

    staff("district_admin", "区委组织部")
    for street in w.streets:
        staff("street_reviewer", f"{street['name']}党工委", street_id=street["id"])
    for community in w.communities:
        w.secretary_of[community["id"]] = staff(
            "community_secretary", f"{community['name']}书记", community_id=community["id"],
            street_id=community["street_id"])
    for grid in w.grids:
        w.grid_worker_of[grid["id"]] = staff(
            "grid_worker", w.name(), grid_id=grid["id"], community_id=grid["community_id"],
            street_id=street_of[grid["community_id"]])
    for branch in w.branches:
        staff("branch_secretary", w.name(), branch_id=branch["id"],
              community_id=branch["community_id"], street_id=street_of[branch["community_id"]])
    for unit in w.units[: max(3, len(w.units) // 10)]:
        staff("unit_contact", f"{unit['name']}党委", unit_id=unit["id"])


def _member(w: World, i: int, user_id: int, year_ago) -> dict:
    rng = w.rng
    community = w.communities[rng.randrange(len(w.communities))]
    roll = rng.random()
    status = "approved" if roll < 0.94 else ("pending" if roll < 0.98 else "rejected")
    own_branches = w.branches_of.get(community["id"], [])
    own_grids = w.grids_of.get(community["id"])
    name = w.name()
    grid_id = rng.choice(own_grids) if own_grids else None
    unit_id = rng.randrange(len(w.units)) + 1
    branch_id = rng.choice(own_branches) if own_branches and rng.random() < 0.6 else None
    industry = rng.choice(INDUSTRIES)
    created_at = year_ago + timedelta(days=rng.randrange(60))
    return _account(
        w, user_id, "member", name, created_at, status=status,
        email=f"m{user_id}@example.org" if i % 10 == 0 else None,
        street_id=community["street_id"], community_id=community["id"], grid_id=grid_id,
        unit_id=unit_id, branch_id=branch_id, industry=industry,
        reject_reason="信息不全" if status == "rejected" else None)


def people(w: World) -> None:
    users: list[dict] = []
    skills: list[dict] = []
    year_ago = w.now - timedelta(days=400)
    _staff(w, users, year_ago)
    skill_codes = list(SKILLS)
    for i in range(w.n["members"]):
        user_id = len(users) + 1
        row = _member(w, i, user_id, year_ago)
        users.append(row)
        if row["status"] == "approved":
            w.members_of.setdefault(row["community_id"], []).append(user_id)
        tags = w.rng.sample(skill_codes, w.rng.choice([0, 0, 1, 1, 2, 3]))
        skills.extend({"user_id": user_id, "tag": tag} for tag in tags)
    w.bulk(User, users)
    w.bulk(MemberSkill, skills)
    w.created.update(streets=len(w.streets), communities=len(w.communities),
                     grids=len(w.grids), units=len(w.units), general=w.n["general"],
                     branches=w.n["branches"], members=w.n["members"])
