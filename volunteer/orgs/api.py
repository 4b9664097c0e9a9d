"""Client API: streets, communities, grids, units and branches."""

from flask import jsonify, request
from flask_login import current_user
from pydantic import create_model

from volunteer.core.api import (
    ApiModel,
    Id,
    Out,
    Required,
    api_blueprint,
    doc,
    one_of,
    page_of,
    paginated,
    parse_body,
    query_int,
)
from volunteer.core.decorators import roles_required
from volunteer.extensions import db
from volunteer.orgs import services
from volunteer.orgs.models import BRANCH_LEVELS, UNIT_KINDS, Branch, Community, Grid, Street, Unit
from volunteer.orgs.services import NAME_LIMITS

bp = api_blueprint("orgs_api", __name__)
LIST_QUERY = {"q": "string", "page": "integer", "per_page": "integer"}


class StreetOut(Out):
    id: int
    name: str


class CommunityOut(Out):
    id: int
    name: str
    street_id: int


class GridOut(Out):
    id: int
    name: str
    community_id: int
    parent_id: int | None


class UnitOut(Out):
    id: int
    name: str
    kind: one_of(UNIT_KINDS)


class BranchOut(Out):
    id: int
    name: str
    level: one_of(BRANCH_LEVELS)
    community_id: int | None
    parent_id: int | None


class LinkOut(Out):
    unit_id: int
    community_id: int


def serialise_street(street: Street) -> dict:
    return {"id": street.id, "name": street.name}


def serialise_community(community: Community) -> dict:
    return {"id": community.id, "name": community.name, "street_id": community.street_id}


def serialise_grid(grid: Grid) -> dict:
    return {"id": grid.id, "name": grid.name, "community_id": grid.community_id,
            "parent_id": grid.parent_id}


def serialise_unit(unit: Unit) -> dict:
    return {"id": unit.id, "name": unit.name, "kind": unit.kind}


def serialise_branch(branch: Branch) -> dict:
    return {"id": branch.id, "name": branch.name, "level": branch.level,
            "community_id": branch.community_id, "parent_id": branch.parent_id}


class NameIn(ApiModel):
    name: str = Required(NAME_LIMITS[Street])


class CommunityIn(NameIn):
    name: str = Required(NAME_LIMITS[Community])
    street_id: Id


class GridIn(NameIn):
    name: str = Required(NAME_LIMITS[Grid])
    community_id: Id
    parent_id: Id | None = None


class UnitIn(NameIn):
    name: str = Required(NAME_LIMITS[Unit])
    kind: str = Required(20, UNIT_KINDS, default="other")


class BranchIn(NameIn):
    name: str = Required(NAME_LIMITS[Branch])
    community_id: Id
    level: str = Required(10, BRANCH_LEVELS, default="branch")
    parent_id: Id | None = None


class LinkIn(ApiModel):
    community_id: Id


def _created(obj, serialise):
    db.session.commit()
    return jsonify(serialise(obj)), 201


@bp.post("/streets")
@doc("新建街道", body=NameIn, status=201, errors=(403, 409), response=StreetOut)
@roles_required("district_admin")
def create_street():
    return _created(services.create_street(current_user, parse_body(NameIn).name),
                    serialise_street)


@bp.get("/streets")
@doc("街道列表", auth=False, query=LIST_QUERY, response=page_of(StreetOut))
def list_streets():
    return paginated(services.list_streets_stmt(request.args.get("q")), serialise_street)


@bp.post("/communities")
@doc("新建社区", body=CommunityIn, status=201, errors=(403, 404, 409), response=CommunityOut)
@roles_required("district_admin")
def create_community():
    data = parse_body(CommunityIn)
    return _created(services.create_community(current_user, data.name, data.street_id),
                    serialise_community)


@bp.get("/communities")
@doc("社区列表", auth=False, query={**LIST_QUERY, "street_id": "integer"},
     response=page_of(CommunityOut))
def list_communities():
    stmt = services.list_communities_stmt(query_int("street_id"), request.args.get("q"))
    return paginated(stmt, serialise_community)


@bp.post("/grids")
@doc("新建网格（parent_id 指定上级网格即为微网格）", body=GridIn, status=201,
     errors=(403, 404, 409), response=GridOut)
@roles_required("district_admin")
def create_grid():
    data = parse_body(GridIn)
    grid = services.create_grid(current_user, data.name, data.community_id, data.parent_id)
    return _created(grid, serialise_grid)


@bp.get("/grids")
@doc("网格列表", auth=False, query={**LIST_QUERY, "community_id": "integer"},
     response=page_of(GridOut))
def list_grids():
    stmt = services.list_grids_stmt(query_int("community_id"), request.args.get("q"))
    return paginated(stmt, serialise_grid)


@bp.post("/units")
@doc("新建单位", body=UnitIn, status=201, errors=(403, 409), response=UnitOut)
@roles_required("district_admin")
def create_unit():
    data = parse_body(UnitIn)
    return _created(services.create_unit(current_user, data.name, data.kind), serialise_unit)


@bp.get("/units")
@doc("单位列表", auth=False, query={**LIST_QUERY, "community_id": "integer"},
     response=page_of(UnitOut))
def list_units():
    stmt = services.list_units_stmt(request.args.get("q"), query_int("community_id"))
    return paginated(stmt, serialise_unit)


@bp.post("/units/<int:unit_id>/communities")
@doc("单位报到：登记单位与社区共建", body=LinkIn, errors=(403, 404, 409), response=LinkOut)
@roles_required("district_admin")
def link_unit(unit_id: int):
    unit = services.get_or_404(Unit, unit_id)
    community = services.get_or_404(Community, parse_body(LinkIn).community_id, "community_id")
    services.link_unit_community(current_user, unit, community)
    db.session.commit()
    return jsonify({"unit_id": unit.id, "community_id": community.id})


@bp.post("/branches")
@doc("新建功能型党组织（总支 general / 支部 branch / 小组 group）", body=BranchIn, status=201,
     errors=(403, 404, 409), response=BranchOut)
@roles_required("district_admin")
def create_branch():
    data = parse_body(BranchIn)
    branch = services.create_branch(current_user, data.name, data.community_id, data.level,
                                    data.parent_id)
    return _created(branch, serialise_branch)


@bp.get("/branches")
@doc("功能型党组织列表", auth=False, query={**LIST_QUERY, "community_id": "integer"},
     response=page_of(BranchOut))
def list_branches():
    stmt = services.list_branches_stmt(query_int("community_id"), request.args.get("q"))
    return paginated(stmt, serialise_branch)


RENAMEABLE = {"streets": (Street, serialise_street, StreetOut, "街道"),
              "communities": (Community, serialise_community, CommunityOut, "社区"),
              "grids": (Grid, serialise_grid, GridOut, "网格"),
              "branches": (Branch, serialise_branch, BranchOut, "党组织")}


def _rename_view(kind: str):
    """The PATCH view renaming one kind of object (one per kind: each has its own answer)."""
    model, serialise, out, label = RENAMEABLE[kind]

    body = create_model(f"Rename{model.__name__}In", __base__=ApiModel,
                        name=(str, Required(NAME_LIMITS[model])))

    @doc(f"重命名{label}", body=body, errors=(403, 404, 409), response=out)
    @roles_required("district_admin")
    def rename(obj_id: int):
        obj = services.get_or_404(model, obj_id)
        obj = services.rename(current_user, obj, parse_body(body).name)
        db.session.commit()
        return jsonify(serialise(obj))

    return rename


for _kind in RENAMEABLE:
    bp.add_url_rule(f"/{_kind}/<int:obj_id>", endpoint=f"rename_{_kind}",
                    view_func=_rename_view(_kind), methods=["PATCH"])


@bp.patch("/units/<int:unit_id>")
@doc("修改单位", body=UnitIn, errors=(403, 404, 409), response=UnitOut)
@roles_required("district_admin")
def update_unit(unit_id: int):
    data = parse_body(UnitIn)
    unit = services.update_unit(current_user, services.get_or_404(Unit, unit_id), data.name,
                                data.kind)
    db.session.commit()
    return jsonify(serialise_unit(unit))
