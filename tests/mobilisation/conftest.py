"""A street with two communities, a grid, members living there and elsewhere, and staff."""

import pytest

from volunteer.extensions import db


@pytest.fixture
def area(ctx, make_street, make_community, make_grid, make_member, make_staff, make_branch):
    street, other_street = make_street("新城桥街道"), make_street("虹桥街道")
    south = make_community("城南新村社区", street)
    east = make_community("城东社区", street)
    away = make_community("新西社区", other_street)
    grid = make_grid(east, "城东一网格")
    other_grid = make_grid(east, "城东二网格")
    branch, away_branch = make_branch(south, "为民功能型党支部"), make_branch(away)
    people = {
        "street": street, "other_street": other_street, "south": south, "east": east,
        "away": away, "grid": grid, "other_grid": other_grid,
        "a": make_member(south, name="冯罡", skills=("driving",), phone="13700009001",
                         branch=branch),
        "b": make_member(south, name="秦晓春"),
        "pending": make_member(south, status="pending", name="待审核"),
        "c": make_member(east, grid=grid, name="陆华雷", skills=("medical",)),
        "d": make_member(east, grid=other_grid, name="杜瑞山"),
        "e": make_member(away, name="万娟"),
        "reviewer": make_staff("street_reviewer", street),
        "other_reviewer": make_staff("street_reviewer", other_street),
        "south_secretary": make_staff("community_secretary", south),
        "east_secretary": make_staff("community_secretary", east),
        "away_secretary": make_staff("community_secretary", away),
        "east_grid_worker": make_staff("grid_worker", grid),
        "branch_secretary": make_staff("branch_secretary", branch),
        "away_branch_secretary": make_staff("branch_secretary", away_branch),
    }
    db.session.commit()
    return people


POSTS = [{"name": "卡口值守", "needed": 2}, {"name": "后勤保障", "needed": 1}]


@pytest.fixture
def call(area):
    """南 (whole community) and 城东一网格 called by the street reviewer."""
    from volunteer.mobilisation import services

    mobilisation = services.declare(
        area["reviewer"], title="城南新村临时管控区集结", message="请到社区党群服务中心报到",
        community_ids=[area["south"].id], grid_ids=[area["grid"].id], posts=POSTS)
    db.session.commit()
    return mobilisation
