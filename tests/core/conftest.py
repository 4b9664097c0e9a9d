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
                                  address="8幢201室", ip="10.9.9.9",
                                  privacy_consent=True)
    accepted = requests.submit_request(name="李大爷", phone="13800002222",
                                       community_id=community.id, category="repair",
                                       description="灯坏了", address="9幢101室", ip="10.9.9.8",
                                       privacy_consent=True)
    requests.accept_request(users["grid_worker"], accepted)
    # more states, so that the pages show the forms each state offers
    dispatched = requests.submit_request(name="周阿姨", phone="13800003333",
                                         community_id=community.id, category="repair",
                                         description="门锁坏了", address="7幢301室",
                                         ip="10.9.9.7", privacy_consent=True)
    requests.accept_request(users["grid_worker"], dispatched)
    requests.dispatch_request(secretary, dispatched, member.id)
    past = utcnow() - timedelta(hours=4)
    done = tasks.create_task(secretary, title="垃圾清运", category="garbage", location="北门",
                             description="", slots=3, starts_at=past,
                             ends_at=past + timedelta(hours=2), now=past - timedelta(hours=6))
    tasks.claim_task(member, done, now=past - timedelta(hours=5))
    tasks.check_in(member, done, now=past + timedelta(minutes=5))
    tasks.check_out(member, done, now=past + timedelta(hours=2))
    claimed = wishes.create_wish(users["grid_worker"], household_kind="disability",
                                 beneficiary_name="刘建国", address="虹桥北村3幢101室",
                                 phone="13912340000", content="想要一副拐杖", value=150)
    wishes.publish_wish(secretary, claimed)
    wishes.claim_wish(member, claimed)
    wishes.accept_wish_claim(users["grid_worker"], claimed)  # the member may now fulfil it
    submitted = wishes.create_wish(users["grid_worker"], household_kind="hardship",
                                   beneficiary_name="陈梅", address="虹桥北村9幢202室",
                                   phone="13912341111", content="想要一套校服", value=100)
    call = mobilisation.declare(users["street_reviewer"], title="临时管控区集结",
                                message="请到社区党群服务中心报到",
                                community_ids=[community.id],
                                posts=[{"name": "卡口值守", "needed": 1}])
    note = notify(member, "system", "测试消息")
    db.session.commit()
    ids = {"task_id": task.id, "claim_id": claim.id, "wish_id": wish.id,
           "request_id": req.id, "mobilisation_id": call.id, "member_id": member.id,
           "notification_id": note.id, "unit_id": unit.id, "obj_id": community.id,
           "scope_id": community.id, "user_id": users["grid_worker"].id,
           "delivery_id": 1, "commendation_id": 1,
           "branch_id": branch.id}
    strings = {"kind": "community", "token": "x", "code": req.tracking_code,
               "filename": "app.css"}
    world = World(users, ids, strings)
    world.pending = pending
    world.street, world.community, world.grid, world.unit = street, community, grid, unit
    world.extra_pages = [
        ("/requests/<int:request_id>", {"request_id": accepted.id}),
        ("/requests/<int:request_id>", {"request_id": dispatched.id}),
        ("/tasks/<int:task_id>", {"task_id": done.id}),
        ("/tasks/<int:task_id>/roster", {"task_id": done.id}),
        ("/wishes/<int:wish_id>", {"wish_id": claimed.id}),
        ("/wishes/<int:wish_id>", {"wish_id": submitted.id}),
    ] + [("/admin/import/<any(members, places, units, branches, staff):kind>", {"kind": kind})
         for kind in ("places", "units", "branches", "staff")
         ] + [(path, {"kind": kind, "obj_id": obj.id}) for kind, obj in (
        ("communities", community), ("grids", grid), ("units", unit), ("branches", branch))
        for path in ("/admin/<any(streets, communities, grids, units, branches):kind>",
                     "/admin/<any(streets, communities, grids, units, branches):kind>"
                     "/<int:obj_id>")]
    world.tracking_code, world.resident_phone = req.tracking_code, "13800001111"
    return world
