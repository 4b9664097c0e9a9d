"""Creating, editing and listing streets, communities, grids, units and branches."""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from volunteer.audit.services import record_action
from volunteer.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from volunteer.extensions import db
from volunteer.orgs.models import (
    BRANCH_LEVELS,
    MEMBER_BRANCH_LEVELS,
    UNIT_KINDS,
    Branch,
    Community,
    Grid,
    Street,
    Unit,
    UnitCommunity,
)
from volunteer.orgs.permissions import can_manage_orgs

NAME_LIMITS = {Street: 60, Community: 60, Grid: 60, Unit: 80, Branch: 80}
NAME_MAX = max(NAME_LIMITS.values())  # what a form or API body may carry


class NameTaken(Conflict):
    code = "name_taken"
    message = "名称已存在"


def _require_admin(actor) -> None:
    if not can_manage_orgs(actor):
        raise NotAllowed()


def _clean_name(model, name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(fields={"name": "必填"})
    if len(name) > NAME_LIMITS[model]:
        raise ValidationFailed(fields={"name": f"不能超过 {NAME_LIMITS[model]} 个字符"})
    return name


def get_or_404(model, obj_id, field: str | None = None):
    """Load an organisation object; unknown ids are NotFound (or a field error when named)."""
    obj = db.session.get(model, obj_id) if isinstance(obj_id, int) else None
    if obj is None:
        if field:
            raise ValidationFailed(fields={field: "所选对象不存在"})
        raise NotFound()
    return obj


def _save(actor, obj, action: str, **detail):
    """Flush ``obj`` in a savepoint so a duplicate name is a clean 409."""
    try:
        with db.session.begin_nested():
            db.session.add(obj)
            db.session.flush()
    except IntegrityError:
        raise NameTaken() from None
    record_action(actor, action, obj, name=obj.name, **detail)
    return obj


def create_street(actor, name: str) -> Street:
    """A new street."""
    _require_admin(actor)
    return _save(actor, Street(name=_clean_name(Street, name)), "create_street")


def create_community(actor, name: str, street_id: int) -> Community:
    """A new community in a street."""
    _require_admin(actor)
    street = get_or_404(Street, street_id, "street_id")
    return _save(actor, Community(name=_clean_name(Community, name), street_id=street.id),
                 "create_community")


def create_grid(actor, name: str, community_id: int, parent_id: int | None = None) -> Grid:
    """A new grid, or a micro-grid when it has a parent grid of the same community."""
    _require_admin(actor)
    community = get_or_404(Community, community_id, "community_id")
    if parent_id is not None:
        parent = get_or_404(Grid, parent_id, "parent_id")
        if parent.community_id != community.id:
            raise ValidationFailed(fields={"parent_id": "上级网格不属于该社区"})
    return _save(actor, Grid(name=_clean_name(Grid, name), community_id=community.id,
                             parent_id=parent_id), "create_grid")


def create_unit(actor, name: str, kind: str = "other") -> Unit:
    """A new work unit."""
    _require_admin(actor)
    if kind not in UNIT_KINDS:
        raise ValidationFailed(fields={"kind": "单位类型无效"})
    return _save(actor, Unit(name=_clean_name(Unit, name), kind=kind), "create_unit")


def create_branch(actor, name: str, community_id: int, level: str = "branch",
                  parent_id: int | None = None) -> Branch:
    """A new functional party organisation (总支 / 支部 / 小组) inside a community."""
    _require_admin(actor)
    community = get_or_404(Community, community_id, "community_id")
    if level not in BRANCH_LEVELS:
        raise ValidationFailed(fields={"level": "层级无效"})
    if parent_id is not None:
        parent = get_or_404(Branch, parent_id, "parent_id")
        if parent.community_id != community.id:
            raise ValidationFailed(fields={"parent_id": "上级组织不属于该社区"})
    return _save(actor, Branch(name=_clean_name(Branch, name), community_id=community.id,
                               level=level, parent_id=parent_id), "create_branch")


def rename(actor, obj, name: str):
    """Rename any organisation object."""
    _require_admin(actor)
    old = obj.name
    obj.name = _clean_name(type(obj), name)
    return _save(actor, obj, "rename", old=old)


def update_unit(actor, unit: Unit, name: str, kind: str) -> Unit:
    """Rename a unit and change its kind."""
    if kind not in UNIT_KINDS:
        raise ValidationFailed(fields={"kind": "单位类型无效"})
    unit.kind = kind
    return rename(actor, unit, name)


def link_unit_community(actor, unit: Unit, community: Community) -> UnitCommunity:
    """单位报到: record that a unit co-builds with a community (idempotent)."""
    _require_admin(actor)
    link = db.session.get(UnitCommunity, (unit.id, community.id))
    if link is None:
        link = UnitCommunity(unit_id=unit.id, community_id=community.id)
        db.session.add(link)
        db.session.flush()
        record_action(actor, "link_unit_community", unit, community_id=community.id)
    return link


def unlink_unit_community(actor, unit: Unit, community: Community) -> None:
    """Remove a co-building link."""
    _require_admin(actor)
    link = db.session.get(UnitCommunity, (unit.id, community.id))
    if link is not None:
        db.session.delete(link)
        record_action(actor, "unlink_unit_community", unit, community_id=community.id)


def list_streets_stmt(q: str | None = None):
    stmt = select(Street).order_by(Street.id)
    return stmt.where(Street.name.contains(q)) if q else stmt


def list_communities_stmt(street_id: int | None = None, q: str | None = None):
    stmt = select(Community).order_by(Community.street_id, Community.id)
    if street_id:
        stmt = stmt.where(Community.street_id == street_id)
    return stmt.where(Community.name.contains(q)) if q else stmt


def list_grids_stmt(community_id: int | None = None, q: str | None = None):
    stmt = select(Grid).order_by(Grid.community_id, Grid.id)
    if community_id:
        stmt = stmt.where(Grid.community_id == community_id)
    return stmt.where(Grid.name.contains(q)) if q else stmt


def list_units_stmt(q: str | None = None, community_id: int | None = None):
    stmt = select(Unit).order_by(Unit.id)
    if community_id:
        stmt = stmt.join(UnitCommunity).where(UnitCommunity.community_id == community_id)
    return stmt.where(Unit.name.contains(q)) if q else stmt


def list_branches_stmt(community_id: int | None = None, q: str | None = None):
    stmt = select(Branch).order_by(Branch.community_id, Branch.id)
    if community_id:
        stmt = stmt.where(Branch.community_id == community_id)
    return stmt.where(Branch.name.contains(q)) if q else stmt


def branch_subtree_ids(branch_id: int) -> list[int]:
    """The branch and every organisation below it (a 总支's 支部, and their 小组)."""
    ids, frontier = [branch_id], [branch_id]
    for _level in range(3):  # general → branch → group
        frontier = [i for i in db.session.scalars(
            select(Branch.id).where(Branch.parent_id.in_(frontier))) if i not in ids]
        if not frontier:
            break
        ids += frontier
    return ids


def list_member_branches(community_id: int | None) -> list[Branch]:
    """The 支部 and 小组 of a community that members can be placed in, by name."""
    if not community_id:
        return []
    return list(db.session.scalars(select(Branch).where(
        Branch.community_id == community_id, Branch.level.in_(MEMBER_BRANCH_LEVELS))
        .order_by(Branch.name)))


def list_all_communities() -> list[Community]:
    """Every community with its street, for pickers (200 at district scale)."""
    stmt = select(Community).join(Street).order_by(Street.id, Community.id)
    return list(db.session.scalars(stmt))


def list_all_streets() -> list[Street]:
    return list(db.session.scalars(select(Street).order_by(Street.id)))


def find_unit_by_name(name: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.name == (name or "").strip()))


def count_orgs() -> dict:
    """How many of each organisation object exist."""
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Street, Community, Grid, Unit, Branch)}


def list_unit_communities(unit: Unit) -> list[Community]:
    """The communities a unit co-builds with."""
    stmt = select(Community).join(UnitCommunity, UnitCommunity.community_id == Community.id) \
        .where(UnitCommunity.unit_id == unit.id).order_by(Community.id)
    return list(db.session.scalars(stmt))


# ---------------------------------------------------------------- pickers
# A district has 200 communities, 1,500 grids and 3,000 units: pickers list them grouped (by
# street, or by street and community) and sorted by name, as (group, id, label) rows that
# core.forms.grouped_choices turns into a select's optgroups.


def _by_name(rows):
    return sorted(rows, key=lambda row: (row[0] or "", row[2], row[1]))


def community_picker(street_id: int | None = None, full_names: bool = False
                     ) -> list[tuple[str, int, str]]:
    """Communities grouped by street: (street name, id, community name), sorted by the
    community's name; ``full_names`` labels them with their street too (街道社区), as a select
    on a phone shows an option without its group."""
    stmt = select(Street.name, Community.id, Community.name).join(
        Street, Street.id == Community.street_id)
    if street_id is not None:
        stmt = stmt.where(Community.street_id == street_id)
    return [(street, community_id, f"{street}{name}" if full_names else name)
            for street, community_id, name in _by_name(
                tuple(row) for row in db.session.execute(stmt))]


def grid_picker(street_id: int | None = None, community_id: int | None = None
                ) -> list[tuple[str, int, str]]:
    """Grids grouped by "street · community": (group, id, grid name)."""
    stmt = (select(Street.name, Community.name, Grid.id, Grid.name)
            .join(Community, Community.id == Grid.community_id)
            .join(Street, Street.id == Community.street_id))
    if street_id is not None:
        stmt = stmt.where(Community.street_id == street_id)
    if community_id is not None:
        stmt = stmt.where(Grid.community_id == community_id)
    return _by_name((f"{street} · {community}", grid_id, name)
                    for street, community, grid_id, name in db.session.execute(stmt))


def branch_picker() -> list[tuple[str, int, str]]:
    """Branches grouped by "street · community": (group, id, branch name)."""
    stmt = (select(Street.name, Community.name, Branch.id, Branch.name)
            .join(Community, Community.id == Branch.community_id)
            .join(Street, Street.id == Community.street_id))
    return _by_name((f"{street} · {community}", branch_id, name)
                    for street, community, branch_id, name in db.session.execute(stmt))


def unit_picker() -> list[tuple[None, int, str]]:
    """Every unit, sorted by name (units belong to no street)."""
    return _by_name((None, unit_id, name)
                    for unit_id, name in db.session.execute(select(Unit.id, Unit.name)))


def street_picker() -> list[tuple[None, int, str]]:
    """Every street, sorted by name."""
    return _by_name((None, street_id, name)
                    for street_id, name in db.session.execute(select(Street.id, Street.name)))
