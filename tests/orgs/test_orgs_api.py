"""Organisation API: the district admin creates; everyone lists; bad input changes nothing."""

import pytest
from sqlalchemy import func, select

from volunteer.extensions import db
from volunteer.orgs.models import Branch, Community, Grid, Street, Unit, UnitCommunity


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_admin_builds_the_tree(client, admin, token_for):
    h = token_for(admin)
    street = client.post("/api/v1/streets", headers=h, json={"name": "唐闸镇街道"})
    assert street.status_code == 201 and street.get_json()["name"] == "唐闸镇街道"
    sid = street.get_json()["id"]
    community = client.post("/api/v1/communities", headers=h,
                            json={"name": "公园社区", "street_id": sid})
    assert community.status_code == 201
    cid = community.get_json()["id"]
    grid = client.post("/api/v1/grids", headers=h, json={"name": "公园一村", "community_id": cid})
    assert grid.status_code == 201
    micro = client.post("/api/v1/grids", headers=h, json={
        "name": "公园一村3幢", "community_id": cid, "parent_id": grid.get_json()["id"]})
    assert micro.status_code == 201 and micro.get_json()["parent_id"] == grid.get_json()["id"]
    unit = client.post("/api/v1/units", headers=h, json={"name": "南通市第二中学",
                                                         "kind": "school"})
    assert unit.status_code == 201
    link = client.post(f"/api/v1/units/{unit.get_json()['id']}/communities", headers=h,
                       json={"community_id": cid})
    assert link.status_code == 200 and count(UnitCommunity) == 1
    branch = client.post("/api/v1/branches", headers=h, json={
        "name": "公园社区功能型党总支", "community_id": cid, "level": "general"})
    assert branch.status_code == 201 and branch.get_json()["level"] == "general"
    listing = client.get(f"/api/v1/grids?community_id={cid}").get_json()
    assert listing["total"] == 2 and listing["page"] == 1 and listing["per_page"] == 20
    units = client.get(f"/api/v1/units?community_id={cid}").get_json()
    assert [u["name"] for u in units["items"]] == ["南通市第二中学"]


def test_rename_and_update(client, admin, token_for, make_community, make_unit):
    h = token_for(admin)
    community = make_community()
    unit = make_unit()
    renamed = client.patch(f"/api/v1/communities/{community.id}", headers=h,
                           json={"name": "新西社区"})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "新西社区"
    updated = client.patch(f"/api/v1/units/{unit.id}", headers=h,
                           json={"name": "南通市第二人民医院", "kind": "hospital"})
    assert updated.get_json()["kind"] == "hospital"
    assert client.patch("/api/v1/streets/99999", headers=h, json={"name": "x"}).status_code == 404


def test_pagination(client, admin, token_for):
    h = token_for(admin)
    for i in range(25):
        client.post("/api/v1/units", headers=h, json={"name": f"单位{i:02d}"})
    page2 = client.get("/api/v1/units?page=2&per_page=10").get_json()
    assert page2["total"] == 25 and len(page2["items"]) == 10 and page2["page"] == 2
    assert client.get("/api/v1/units?per_page=1000").status_code == 400
    bad = client.get("/api/v1/units?page=abc")
    assert bad.status_code == 400 and bad.get_json()["error"]["fields"] == {"page": "应为整数"}


@pytest.mark.parametrize("body, field", [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "街" * 500}, "name"),
    ({"name": 123}, "name"),
])
def test_street_bad_input(client, admin, token_for, body, field):
    response = client.post("/api/v1/streets", headers=token_for(admin), json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input" and field in error["fields"]
    assert count(Street) == 0


def test_malformed_json_and_wrong_shapes(client, admin, token_for):
    h = token_for(admin)
    for raw in ("{", "[1,2]", "null", '"text"'):
        response = client.post("/api/v1/streets", headers=h, data=raw,
                               content_type="application/json")
        assert response.status_code == 400, raw
        assert response.get_json()["error"]["message"]
    assert count(Street) == 0


def test_unknown_ids_and_cross_community_parent(client, admin, token_for, make_grid):
    h = token_for(admin)
    unknown = client.post("/api/v1/communities", headers=h, json={"name": "x", "street_id": 999})
    assert unknown.status_code == 400 and "street_id" in unknown.get_json()["error"]["fields"]
    other = make_grid()
    community = make_grid().community_id
    wrong_parent = client.post("/api/v1/grids", headers=h, json={
        "name": "微网格", "community_id": community, "parent_id": other.id})
    assert wrong_parent.status_code == 400
    assert "parent_id" in wrong_parent.get_json()["error"]["fields"]
    assert count(Grid) == 2
    bad_level = client.post("/api/v1/branches", headers=h, json={
        "name": "x", "community_id": community, "level": "club"})
    assert bad_level.status_code == 400 and count(Branch) == 0
    no_unit = client.post("/api/v1/units/999/communities", headers=h,
                          json={"community_id": community})
    assert no_unit.status_code == 404


def test_duplicate_names_are_409(client, admin, token_for, make_street):
    h = token_for(admin)
    street = make_street("虹桥街道")
    dup_street = client.post("/api/v1/streets", headers=h, json={"name": "虹桥街道"})
    assert dup_street.status_code == 409 and dup_street.get_json()["error"]["code"] == "name_taken"
    ok = client.post("/api/v1/communities", headers=h, json={"name": "新东社区",
                                                             "street_id": street.id})
    assert ok.status_code == 201
    dup = client.post("/api/v1/communities", headers=h, json={"name": "新东社区",
                                                              "street_id": street.id})
    assert dup.status_code == 409 and count(Community) == 1


@pytest.mark.parametrize("role", ["street_reviewer", "community_secretary", "grid_worker",
                                  "branch_secretary", "unit_contact", "member"])
def test_only_the_district_admin_creates(client, token_for, make_staff, make_member, role,
                                         make_street, make_grid, make_branch, make_unit):
    scope = {"street_reviewer": make_street, "grid_worker": make_grid,
             "branch_secretary": make_branch, "unit_contact": make_unit}.get(role)
    user = make_member() if role == "member" else make_staff(role, scope() if scope else None)
    h = token_for(user)
    street = make_street()
    for path, body in (("/api/v1/streets", {"name": "新街道"}),
                       ("/api/v1/communities", {"name": "新社区", "street_id": street.id}),
                       ("/api/v1/units", {"name": "新单位"})):
        assert client.post(path, headers=h, json=body).status_code == 403
    assert client.patch(f"/api/v1/streets/{street.id}", headers=h,
                        json={"name": "改名"}).status_code == 403
    assert count(Unit) == (1 if role in ("member", "unit_contact") else 0)


def test_anonymous_cannot_create(client):
    response = client.post("/api/v1/streets", json={"name": "x"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "not_authenticated"
