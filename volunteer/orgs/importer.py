"""Importing the organisation from sheets: streets, communities and grids; units.

Places: one row per street, community or grid — 街道 is required, 社区 and 网格 optional, and
上级网格 makes the grid a micro-grid of another grid of the community (created by an earlier
row or already there). Units: 单位名称, and 单位类型 (学校, 医院, 机关, 企业, 事业单位, 其他 or
their codes; 其他 when empty). Branches: 社区 and 名称, with 街道 (when two streets have a
community of that name), 级别 (功能型党总支, 功能型党支部 or 党小组, or their codes; 功能型党支部
when empty) and 上级组织 (a branch of the same community at a higher level, made by an earlier
row or already there). Whatever already exists is kept as it is; each row reports what it
created, or why it was not imported.
"""

from collections.abc import Callable, Iterable

from sqlalchemy import select

from volunteer.audit.services import record_action
from volunteer.core.sheets import NOT_IMPORTED, ImportResult, records
from volunteer.extensions import db
from volunteer.orgs.models import BRANCH_LEVELS, UNIT_KINDS, Branch, Community, Grid, Street, Unit
from volunteer.orgs.names import OrgNames
from volunteer.orgs.services import NAME_LIMITS

PLACE_COLUMNS = {"街道": "street", "社区": "community", "网格": "grid", "上级网格": "parent"}
PLACE_REQUIRED = ("街道",)
PLACE_HEADER = ["行号", "街道", "社区", "网格", "结果", "说明"]
UNIT_COLUMNS = {"单位名称": "name", "单位类型": "kind"}
UNIT_REQUIRED = ("单位名称",)
UNIT_HEADER = ["行号", "单位名称", "单位类型", "结果", "说明"]
BRANCH_COLUMNS = {"街道": "street", "社区": "community", "名称": "name", "级别": "level",
                  "上级组织": "parent"}
BRANCH_REQUIRED = ("社区", "名称")
BRANCH_HEADER = ["行号", "社区", "名称", "级别", "结果", "说明"]
LEVEL_ORDER = ("general", "branch", "group")  # a parent sits higher than its child
CREATED, EXISTING = "已新建", "已存在"
PLACE_SAMPLE = [["街道", "社区", "网格", "上级网格"],
                ["虹桥街道", "", "", ""],
                ["虹桥街道", "公园社区", "", ""],
                ["虹桥街道", "公园社区", "公园一村网格", ""],
                ["虹桥街道", "公园社区", "公园一村3幢微网格", "公园一村网格"]]
UNIT_SAMPLE = [["单位名称", "单位类型"], ["南通市第二中学", "学校"],
               ["南通市第一人民医院", "医院"], ["崇川区市场监督管理局", "机关"]]
BRANCH_SAMPLE = [["街道", "社区", "名称", "级别", "上级组织"],
                 ["虹桥街道", "公园社区", "公园社区功能型党总支", "功能型党总支", ""],
                 ["虹桥街道", "公园社区", "公园社区退休党员支部", "功能型党支部",
                  "公园社区功能型党总支"],
                 ["虹桥街道", "公园社区", "公园一村党小组", "党小组", "公园社区退休党员支部"]]


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


def _branch_level(values: dict, problems: list[str]) -> str | None:
    levels = {**{code: code for code in BRANCH_LEVELS},
              **{label: code for code, label in BRANCH_LEVELS.items()}}
    level = levels.get(values.get("level") or "功能型党支部")
    if level is None:
        problems.append(f"级别应为 {'、'.join(BRANCH_LEVELS.values())} 之一")
    return level


def _branch_parent(names: OrgNames, community_id: int, level: str, parent_name: str,
                   problems: list[str]) -> int | None:
    """The id of the row's 上级组织: a branch of the community at a higher level."""
    found = names.branches.get((community_id, parent_name))
    if found is None:
        problems.append(f"该社区没有上级组织“{parent_name}”")
        return None
    if LEVEL_ORDER.index(found[1]) >= LEVEL_ORDER.index(level):
        problems.append(f"上级组织“{parent_name}”是{BRANCH_LEVELS[found[1]]}，"
                        f"不能作为{BRANCH_LEVELS[level]}的上级")
        return None
    return found[0]


def import_branches(rows: Iterable[tuple[int, list]], *, actor=None, dry_run: bool = False,
                    progress: Callable[[int], None] | None = None) -> ImportResult:
    """Create the functional branches (总支, 支部, 小组) a sheet names that do not exist yet."""
    result = ImportResult(BRANCH_HEADER, dry_run=dry_run)
    names = OrgNames()
    for line, values in records(rows, BRANCH_COLUMNS, BRANCH_REQUIRED, result,
                                progress=progress):
        problems: list[str] = []
        name = _name(problems, Branch, "党组织", values.get("name", ""), True)
        level = _branch_level(values, problems)
        community_id, _street_id = names.community(values.get("community", ""),
                                                   values.get("street", ""), problems)
        parent_id = None
        if values.get("parent") and community_id is not None and level is not None:
            if values["parent"] == name:
                problems.append("上级组织不能是党组织本身")
            elif level == "general":
                problems.append("功能型党总支不设上级组织")
            else:
                parent_id = _branch_parent(names, community_id, level, values["parent"],
                                           problems)
        identity = (line, values.get("community", ""), name,
                    BRANCH_LEVELS.get(level or "", values.get("level", "")))
        if problems:
            result.report.append((*identity, NOT_IMPORTED, "；".join(problems)))
        elif (community_id, name) in names.branches:
            result.report.append((*identity, EXISTING, ""))
        else:
            branch = _add(Branch(name=name, level=level, community_id=community_id,
                                 parent_id=parent_id), dry_run)
            names.branches[(community_id, name)] = (branch.id, level)
            result.created += 1
            result.report.append((*identity, "可新建" if dry_run else CREATED, ""))
    if not dry_run:
        record_action(actor, "import_branches", None, rows=result.rows, created=result.created,
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

