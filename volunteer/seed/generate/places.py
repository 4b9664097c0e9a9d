"""The organisation: streets, communities and grids (places), then units, their links to
communities and the party branches (units)."""

from volunteer.orgs.models import Branch, Community, Grid, Street, Unit, UnitCommunity
from volunteer.seed.generate.common import PLACE, STREETS, UNIT_KINDS, World


def places(w: World) -> None:
    n, now = w.n, w.now
    w.streets = [{"id": i + 1, "name": STREETS[i % len(STREETS)] + (
        "" if i < len(STREETS) else str(i // len(STREETS) + 1)), "created_at": now}
        for i in range(n["streets"])]
    w.bulk(Street, w.streets)
    for i in range(n["communities"]):
        street = w.streets[i % len(w.streets)]
        name = PLACE[(i * 2) % len(PLACE):(i * 2) % len(PLACE) + 2] + f"{i // 20 + 1}村社区"
        w.communities.append({"id": i + 1, "name": name, "street_id": street["id"],
                              "created_at": now})
    w.bulk(Community, w.communities)
    w.grids = [{"id": i + 1, "name": f"第{i // len(w.communities) + 1}网格",
                "community_id": w.communities[i % len(w.communities)]["id"], "parent_id": None,
                "created_at": now} for i in range(n["grids"])]
    w.bulk(Grid, w.grids)
    for grid in w.grids:
        w.grids_of.setdefault(grid["community_id"], []).append(grid["id"])


def units(w: World) -> None:
    n, now, communities = w.n, w.now, w.communities
    for i in range(n["units"]):
        kind, pattern = UNIT_KINDS[i % len(UNIT_KINDS)]
        w.units.append({"id": i + 1, "name": pattern.format(i + 1), "kind": kind,
                        "created_at": now})
    w.bulk(Unit, w.units)
    links = {(w.rng.randrange(n["units"]) + 1, c["id"]) for c in communities for _ in range(3)}
    w.bulk(UnitCommunity, [{"unit_id": u, "community_id": c, "created_at": now}
                           for u, c in sorted(links)])
    branch_id = 0
    for i in range(n["general"]):
        branch_id += 1
        w.branches.append({"id": branch_id, "name": f"在职党员功能型党总支{i + 1}",
                           "level": "general",
                           "community_id": communities[i % len(communities)]["id"],
                           "parent_id": None, "created_at": now})
    for i in range(n["branches"]):
        branch_id += 1
        w.branches.append({"id": branch_id, "name": f"在职党员功能型党支部{i + 1}",
                           "level": "branch",
                           "community_id": communities[(i * 7) % len(communities)]["id"],
                           "parent_id": None, "created_at": now})
    w.bulk(Branch, w.branches)
    for branch in w.branches:
        if branch["level"] == "branch":
            w.branches_of.setdefault(branch["community_id"], []).append(branch["id"])
