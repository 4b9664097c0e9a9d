"""Request fixtures: a community with staff and members; requests moved on through services."""

import itertools

import pytest

from tests.wishes import conftest as wish_fixtures
from volunteer.extensions import db
from volunteer.requests import services

_ips = itertools.count(1)

RESIDENT = {"name": "王阿姨", "phone": "13800001111", "category": "repair",
            "description": "厨房水龙头漏水，家里只有老人", "address": "新西社区8幢201室",
            "privacy_consent": True}


# the same community, grid, secretary and grid worker as the wish tests
area = wish_fixtures.area


@pytest.fixture
def member(make_member, area):
    return make_member(community=area.community, grid=area.grid, skills=("repair",),
                       name="赵党员")


@pytest.fixture
def make_request(ctx, area):
    """A request submitted (from its own IP) and moved on to ``status``."""

    def make(status="submitted", member=None, **fields):
        req = services.submit_request(ip=f"10.0.0.{next(_ips)}", website=None,
                                      **{**RESIDENT, "community_id": area.community.id,
                                         **fields})
        if status != "submitted":
            services.accept_request(area.worker, req)
        if status in ("dispatched", "taken", "completed"):
            services.dispatch_request(area.secretary, req, member.id)
        if status in ("taken", "completed"):
            services.take_request(member, req)
        if status == "completed":
            services.complete_request(member, req, "已更换水龙头")
        db.session.commit()
        return req

    return make
