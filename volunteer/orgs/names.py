"""The organisation by name, for the sheet imports: read once per import, then each row's
street, community, grid, unit and branch are found by name (with the reason when not)."""

from sqlalchemy import select

from volunteer.extensions import db
from volunteer.orgs.models import (
    BRANCH_LEVELS,
    MEMBER_BRANCH_LEVELS,
    Branch,
    Community,
    Grid,
    Street,
    Unit,
)


class OrgNames:
    """Streets, communities, grids, units and branches by name."""

    def __init__(self):
        self.units: dict[str, list[int]] = {}
        for unit_id, name in db.session.execute(select(Unit.id, Unit.name)):
            self.units.setdefault(name, []).append(unit_id)
        self.streets = dict(db.session.execute(select(Street.name, Street.id)).all())
        self.communities: dict[str, list[tuple[int, int]]] = {}
        for community_id, name, street_id in db.session.execute(
                select(Community.id, Community.name, Community.street_id)):
            self.communities.setdefault(name, []).append((community_id, street_id))
        self.grids = {(community_id, name): grid_id for grid_id, community_id, name in
                      db.session.execute(select(Grid.id, Grid.community_id, Grid.name))}
        self.branches = {(community_id, name): (branch_id, level)
                         for branch_id, community_id, name, level in db.session.execute(
                             select(Branch.id, Branch.community_id, Branch.name, Branch.level))}

    def street(self, name: str, problems: list[str]) -> int | None:
        """The id of the street named ``name`` (None, with the reason, when there is none)."""
        street_id = self.streets.get(name)
        if street_id is None:
            problems.append(f"找不到街道“{name}”" if name else "缺少街道")
        return street_id

    def unit(self, name: str, problems: list[str], label: str = "工作单位") -> int | None:
        """The id of the one unit named ``name``."""
        units = self.units.get(name, [])
        if not name:
            problems.append(f"缺少{label}")
        elif not units:
            problems.append(f"找不到{label}“{name}”")
        elif len(units) > 1:
            problems.append(f"有多个名为“{name}”的单位")
        return units[0] if len(units) == 1 else None

    def community(self, name: str, street: str, problems: list[str],
                  label: str = "社区") -> tuple[int | None, int | None]:
        """(community id, street id) of the community named ``name`` (in the street named
        ``street`` when given: two streets may have a community of one name)."""
        places = self.communities.get(name, [])
        if street:
            street_id = self.streets.get(street)
            if street_id is None:
                problems.append(f"找不到街道“{street}”")
            places = [place for place in places if place[1] == street_id]
        if not name:
            problems.append(f"缺少{label}")
        elif not places:
            problems.append(f"找不到{label}“{name}”")
        elif len(places) > 1:
            problems.append(f"有多个名为“{name}”的社区，请填写街道")
        else:
            return places[0]
        return None, None

    def grid(self, community_id: int | None, name: str, problems: list[str]) -> int | None:
        """The id of the community's grid named ``name``."""
        if not name or community_id is None:
            return None
        grid_id = self.grids.get((community_id, name))
        if grid_id is None:
            problems.append(f"该社区没有网格“{name}”")
        return grid_id

    def branch(self, community_id: int | None, name: str, problems: list[str], *,
               for_member: bool = True) -> int | None:
        """The id of the community's branch named ``name``; ``for_member``: only a 支部 or 小组
        (a member is not placed in a 总支)."""
        if not name or community_id is None:
            return None
        found = self.branches.get((community_id, name))
        if found is None:
            problems.append(f"该社区没有党组织“{name}”")
            return None
        if for_member and found[1] not in MEMBER_BRANCH_LEVELS:
            problems.append(f"“{name}”是{BRANCH_LEVELS[found[1]]}，党员只能编入功能型党支部或党小组")
            return None
        return found[0]
