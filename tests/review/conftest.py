"""A hand-built district for the review tests, with figures computed by hand in the tests.

Street 和平桥 (S) has communities 公园 (A) and 虹桥 (B); street 城东 (T) has 幸福 (C).
Q1 2026 services (minutes, quality, satisfaction):
  顾丽 (A, unit 二中): 120 q5 s5; 120 q4 s4; 60 q5 ending 23:30 on 31 March (still Q1);
                        and 60 q5 ending 00:30 on 1 April (Q2, not counted)
  周荣祥 (A, 二中): 240 q3 s3
  陈静 (A, 附属医院): none
  吴强 (B, 附属医院): 60 q4 s5; 60 q4 s5
  李明 (C, 二中): 60 q5
Residents' requests completed by 顾丽 in March: one in 10 hours, one in 2 hours.
"""

from datetime import datetime, timedelta, timezone

import pytest

from tests.reports.conftest import make_service  # noqa: F401  (a fixture, shared)
from volunteer.extensions import db

CST = timezone(timedelta(hours=8))


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CST)


@pytest.fixture
def town(make_street, make_community, make_unit, make_branch, make_member, make_staff,
         make_service):  # noqa: F811
    from volunteer.requests.models import ServiceRequest

    s, t = make_street("和平桥街道"), make_street("城东街道")
    a, b = make_community("公园社区", s), make_community("虹桥社区", s)
    c = make_community("幸福社区", t)
    school, hospital = make_unit("南通市第二中学"), make_unit("南通大学附属医院")
    branch = make_branch(a, "公园社区功能型党支部")
    gu = make_member(a, unit=school, branch=branch, name="顾丽", phone="13900000001")
    zhou = make_member(a, unit=school, branch=branch, name="周荣祥", phone="13900000002")
    chen = make_member(a, unit=hospital, name="陈静", phone="13900000003")
    wu = make_member(b, unit=hospital, name="吴强", phone="13900000004")
    li = make_member(c, unit=school, name="李明", phone="13900000005")
    for person in (gu, zhou, chen, wu, li):
        person.created_at = local(2025, 12, 1)
    db.session.commit()
    make_service(gu, local(2026, 3, 10, 12), minutes=120, quality=5, satisfaction=5)
    make_service(gu, local(2026, 3, 20, 12), minutes=120, quality=4, satisfaction=4)
    make_service(gu, local(2026, 3, 31, 23, 30), minutes=60, quality=5)
    make_service(gu, local(2026, 4, 1, 0, 30), minutes=60, quality=5)
    make_service(zhou, local(2026, 2, 14, 12), minutes=240, quality=3, satisfaction=3)
    make_service(wu, local(2026, 1, 9, 12), minutes=60, quality=4, satisfaction=5)
    make_service(wu, local(2026, 3, 9, 12), minutes=60, quality=4, satisfaction=5)
    make_service(li, local(2026, 3, 9, 12), minutes=60, quality=5)
    for number, (start, hours) in enumerate(((local(2026, 3, 10, 8), 10),
                                             (local(2026, 3, 11, 8), 2)), start=1):
        db.session.add(ServiceRequest(
            tracking_code=f"T{number:07d}", community_id=a.id, street_id=s.id, name="居民",
            phone="13800000000", address="公园一村", category="errand", description="代购",
            status="completed", assignee_id=gu.id, created_at=start,
            completed_at=start + timedelta(hours=hours)))
    db.session.commit()
    staff = {
        "admin": make_staff("district_admin"),
        "reviewer": make_staff("street_reviewer", s),
        "other_reviewer": make_staff("street_reviewer", t),
        "secretary": make_staff("community_secretary", a),
        "branch_secretary": make_staff("branch_secretary", branch),
        "school_contact": make_staff("unit_contact", school),
        "hospital_contact": make_staff("unit_contact", hospital),
    }
    return {"s": s, "t": t, "a": a, "b": b, "c": c, "school": school, "hospital": hospital,
            "branch": branch, "gu": gu, "zhou": zhou, "chen": chen, "wu": wu, "li": li,
            **staff}
