"""A small world for the sweeps over the URL map: one of every role and of every object a path
names, made through the services, and a way to fill any rule's path with real values."""

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from volunteer.core.time import utcnow
from volunteer.extensions import db

ROLES = ("district_admin", "street_reviewer", "community_secretary", "grid_worker",
         "branch_secretary", "unit_contact", "member", "anonymous")

_ARG = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


@dataclass
class World:
    users: dict
    ids: dict  # a path argument's name -> a real value
    strings: dict = field(default_factory=dict)

    def path(self, rule, replace: dict | None = None) -> str:
        """``rule`` with every argument filled: ``replace`` first, then real values."""
        replace = replace or {}

        def fill(match):
            converter, options, name = match.groups()
            if name in replace:
                return str(replace[name])
            if converter == "any":
                choices = [o.strip() for o in options.split(",")]
                wanted = self.strings.get(name)
                return wanted if wanted in choices else choices[0]
            if name in self.ids:
                return str(self.ids[name])
            return str(self.strings.get(name, "x"))

        return _ARG.sub(fill, rule.rule)


@pytest.fixture
def world(ctx, make_street, make_community, make_grid, make_unit, make_branch, make_member,
          make_staff):
    from volunteer.mobilisation import services as mobilisation
    from volunteer.notifications.services import notify
    from volunteer.requests import services as requests
    from volunteer.tasks import services as tasks
    from volunteer.wishes import services as wishes

    street = make_street("新城桥街道")
    community = make_community("城南新村社区", street)
    grid = make_grid(community, "城南一网格")
    unit = make_unit("南通市第一中学")
    branch = make_branch(community, "为民功能型党支部")
    member = make_member(community, unit, grid=grid, branch=branch, skills=("repair",),
                         name="冯罡")
    pending = make_member(community, unit, status="pending", name="待审核")
    users = {
        "district_admin": make_staff("district_admin"),
        "street_reviewer": make_staff("street_reviewer", street),
        "community_secretary": make_staff("community_secretary", community),
        "grid_worker": make_staff("grid_worker", grid),
        "branch_secretary": make_staff("branch_secretary", branch),
        "unit_contact": make_staff("unit_contact", unit),
        "member": member,
        "anonymous": None,
    }
    secretary = users["community_secretary"]
    starts = utcnow() + timedelta(days=2)
    task = tasks.create_task(secretary, title="楼道消杀", category="disinfection",
                             location="3 幢楼道", description="", slots=5, starts_at=starts,
                             ends_at=starts + timedelta(hours=3), now=utcnow())
    claim = tasks.claim_task(member, task)
    wish = wishes.create_wish(users["grid_worker"], household_kind="elderly_alone",
                              beneficiary_name="张秀英", address="虹桥北村56幢302室",
                              phone="13912345678", content="想要一台电饭煲", value=200)
    wishes.publish_wish(secretary, wish)
    req = requests.submit_request(name="王阿姨", phone="13800001111", community_id=community.id,
                                  category="repair", description="厨房水龙头漏水",
                                  address="8幢201室", ip="10.9.9.9")
    call = mobilisation.declare(users["street_reviewer"], title="临时管控区集结",
                                message="请到社区党群服务中心报到",
                                community_ids=[community.id],
                                posts=[{"name": "卡口值守", "needed": 2}])
    note = notify(member, "system", "测试消息")
    db.session.commit()
    ids = {"task_id": task.id, "claim_id": claim.id, "wish_id": wish.id,
           "request_id": req.id, "mobilisation_id": call.id, "member_id": member.id,
           "notification_id": note.id, "unit_id": unit.id, "obj_id": community.id,
           "scope_id": community.id, "user_id": users["grid_worker"].id,
           "delivery_id": 1, "commendation_id": 1}
    strings = {"kind": "community", "token": "x", "code": req.tracking_code,
               "filename": "app.css"}
    world = World(users, ids, strings)
    world.pending = pending
    world.street, world.community, world.grid, world.unit = street, community, grid, unit
    world.tracking_code, world.resident_phone = req.tracking_code, "13800001111"
    return world
