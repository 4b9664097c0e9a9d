"""Importing the organisation from sheets: streets, communities and grids; units.

Places: one row per street, community or grid — 街道 is required, 社区 and 网格 optional, and
上级网格 makes the grid a micro-grid of another grid of the community (created by an earlier
row or already there). Units: 单位名称, and 单位类型 (学校, 医院, 机关, 企业, 事业单位, 其他 or
their codes; 其他 when empty). Whatever already exists is kept as it is; each row reports what
it created, or why it was not imported.
"""

from collections.abc import Callable, Iterable

from sqlalchemy import select

from volunteer.audit.services import record_action
from volunteer.core.sheets import NOT_IMPORTED, ImportResult, records
from volunteer.extensions import db
from volunteer.orgs.models import UNIT_KINDS, Community, Grid, Street, Unit
from volunteer.orgs.services import NAME_LIMITS

PLACE_COLUMNS = {"街道": "street", "社区": "community", "网格": "grid", "上级网格": "parent"}
PLACE_REQUIRED = ("街道",)
PLACE_HEADER = ["行号", "街道", "社区", "网格", "结果", "说明"]
UNIT_COLUMNS = {"单位名称": "name", "单位类型": "kind"}
UNIT_REQUIRED = ("单位名称",)
UNIT_HEADER = ["行号", "单位名称", "单位类型", "结果", "说明"]
CREATED, EXISTING = "已新建", "已存在"


def _name(problems: list, model, label: str, value: str, required: bool) -> str:
    if not value:
        if required:
            problems.append(f"缺少{label}")
    elif len(value) > NAME_LIMITS[model]:
        problems.append(f"{label}名称不能超过 {NAME_LIMITS[model]} 个字符")
    return value


def import_places(rows: Iterable[tuple[int, list]], *, actor=None, dry_run: bool = False,
                  progress: Callable[[int], None] | None = None) -> ImportResult:
    """Create the streets, communities and grids a sheet names that do not exist yet."""
    result = ImportResult(PLACE_HEADER, dry_run=dry_run)
    streets = {s.name: s for s in db.session.scalars(select(Street))}
    communities = {(c.street_id, c.name): c for c in db.session.scalars(select(Community))}
    grids = {(g.community_id, g.name): g for g in db.session.scalars(select(Grid))}
    for line, values in records(rows, PLACE_COLUMNS, PLACE_REQUIRED, result, progress=progress):
        problems: list[str] = []
        street_name = _name(problems, Street, "街道", values.get("street", ""), True)
        community_name = _name(problems, Community, "社区", values.get("community", ""), False)
        grid_name = _name(problems, Grid, "网格", values.get("grid", ""), False)
        parent_name = _name(problems, Grid, "上级网格", values.get("parent", ""), False)
        if grid_name and not community_name:
            problems.append("网格须填写所属社区")
        if parent_name and not grid_name:
            problems.append("填写上级网格时须填写网格")
        if parent_name and parent_name == grid_name:
            problems.append("上级网格不能是网格本身")
        identity = (line, street_name, community_name, grid_name)
        if problems:
            result.report.append((*identity, NOT_IMPORTED, "；".join(problems)))
            continue
        street = streets.get(street_name)
        community = communities.get((street.id, community_name)) if street else None
        parent = grids.get((community.id, parent_name)) if community and parent_name else None
        if parent_name and parent is None:  # checked before anything of the row is made
            result.report.append((*identity, NOT_IMPORTED,
                                  f"该社区没有上级网格“{parent_name}”"))
            continue
        made = []
        if street is None:
            street = streets[street_name] = _add(Street(name=street_name), dry_run)
            made.append("街道")
        if community_name and community is None:
            community = communities[(street.id, community_name)] = _add(
                Community(name=community_name, street_id=street.id), dry_run)
            made.append("社区")
        if grid_name and (community.id, grid_name) not in grids:
            grids[(community.id, grid_name)] = _add(
                Grid(name=grid_name, community_id=community.id,
                     parent_id=parent.id if parent else None), dry_run)
            made.append("微网格" if parent else "网格")
        result.created += len(made)
        outcome = ("可新建" if dry_run else CREATED) if made else EXISTING
        result.report.append((*identity, outcome, "、".join(made)))
    if not dry_run:
        record_action(actor, "import_places", None, rows=result.rows, created=result.created,
                      errors=len(result.errors))
    return result


def import_units(rows: Iterable[tuple[int, list]], *, actor=None, dry_run: bool = False,
                 progress: Callable[[int], None] | None = None) -> ImportResult:
    """Create the units a sheet names that do not exist yet."""
    result = ImportResult(UNIT_HEADER, dry_run=dry_run)
    units = set(db.session.scalars(select(Unit.name)))
    kinds = {**{code: code for code in UNIT_KINDS},
             **{label: code for code, label in UNIT_KINDS.items()}}
    for line, values in records(rows, UNIT_COLUMNS, UNIT_REQUIRED, result, progress=progress):
        problems: list[str] = []
        name = _name(problems, Unit, "单位", values.get("name", ""), True)
        kind = kinds.get(values.get("kind") or "其他")
        if kind is None:
            problems.append(f"单位类型应为 {'、'.join(UNIT_KINDS.values())} 之一")
        if problems:
            result.report.append((line, name, values.get("kind", ""), NOT_IMPORTED,
                                  "；".join(problems)))
        elif name in units:
            result.report.append((line, name, UNIT_KINDS[kind], EXISTING, ""))
        else:
            units.add(name)
            _add(Unit(name=name, kind=kind), dry_run)
            result.created += 1
            result.report.append((line, name, UNIT_KINDS[kind],
                                  "可新建" if dry_run else CREATED, ""))
    if not dry_run:
        record_action(actor, "import_units", None, rows=result.rows, created=result.created,
                      errors=len(result.errors))
    return result


def _add(obj, dry_run: bool):
    """Save a new object (flushed, so the rows after it can refer to it); with ``dry_run``
    only pretend, giving it a stand-in id of its own."""
    if dry_run:
        obj.id = -id(obj)
        return obj
    db.session.add(obj)
    db.session.flush()
    return obj

