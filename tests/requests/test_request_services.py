"""Request services: the four steps, declines, conversion, rating, timers, suggestions."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from volunteer.audit.models import AuditLog
from volunteer.core.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.notifications.models import Notification
from volunteer.requests import services
from volunteer.requests.models import RequestEvent

from .conftest import RESIDENT


def inbox(user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(
        Notification.user_id == user.id)))


def test_submit_answers_a_code_and_tells_the_grid_worker(area):
    req = services.submit_request(ip="1.2.3.4", community_id=area.community.id, **RESIDENT)
    db.session.commit()
    assert len(req.tracking_code) == 8 and req.status == "submitted"
    assert inbox(area.worker) == ["request_submitted"]
    assert [e.action for e in req.events] == ["submitted"]
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "submit_request"))
    assert RESIDENT["name"] not in str(audit.detail) and RESIDENT["phone"] not in str(
        audit.detail)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("description", "", "不能为空"),
    ("description", "修" * 10_000, "不能超过 1000 个字符"),
    ("phone", "123", "请填写 11 位手机号"),
    ("name", "", "不能为空"),
    ("category", "spaceship", "请选择服务类别"),
    ("address", "址" * 200, "不能超过 120 个字符"),
])
def test_bad_fields_are_named(area, field, value, message):
    with pytest.raises(ValidationFailed) as caught:
        services.submit_request(ip="1.2.3.4", community_id=area.community.id,
                                **{**RESIDENT, field: value})
    assert caught.value.fields[field] == message


def test_unknown_community_and_honeypot(area):
    with pytest.raises(ValidationFailed) as caught:
        services.submit_request(ip="1.2.3.4", community_id=99999, **RESIDENT)
    assert "community_id" in caught.value.fields
    with pytest.raises(ValidationFailed):
        services.submit_request(ip="1.2.3.4", community_id=area.community.id,
                                website="http://spam.example", **RESIDENT)


def test_per_ip_limit(area):
    for _ in range(5):
        services.submit_request(ip="9.9.9.9", community_id=area.community.id, **RESIDENT)
        db.session.commit()
    with pytest.raises(services.RequestLimited) as caught:
        services.submit_request(ip="9.9.9.9", community_id=area.community.id, **RESIDENT)
    assert caught.value.status == 429
    services.submit_request(ip="9.9.9.8", community_id=area.community.id, **RESIDENT)


def test_the_four_steps(area, member, make_request):
    req = make_request()
    services.accept_request(area.worker, req)
    db.session.commit()
    assert req.status == "accepted" and req.grid_id == area.grid.id
    assert "request_accepted" in inbox(area.secretary)
    services.dispatch_request(area.secretary, req, member.id)
    db.session.commit()
    assert req.status == "dispatched" and req.assignee_id == member.id
    assert "request_dispatched" in inbox(member)
    services.take_request(member, req)
    db.session.commit()
    assert req.status == "taken" and req.taken_at
    assert "request_taken" in inbox(area.secretary)
    services.complete_request(member, req, "已更换水龙头")
    db.session.commit()
    assert req.status == "completed" and req.completion_note == "已更换水龙头"
    assert "request_completed" in inbox(area.worker)
    services.rate_request(None, req, 5, "很及时")
    db.session.commit()
    assert req.rating == 5 and req.rated_by_id is None
    assert "request_rated" in inbox(member)
    assert [e.action for e in req.events] == [
        "submitted", "accepted", "dispatched", "taken", "completed", "rated"]
    assert all(e.created_at for e in req.events)
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"submit_request", "accept_request", "dispatch_request", "take_request",
            "complete_request", "rate_request"} <= actions


def test_illegal_steps_are_refused(area, member, make_request):
    rejected = make_request()
    services.reject_request(area.worker, rejected, "不属于本社区服务范围")
    db.session.commit()
    with pytest.raises(InvalidState):
        services.dispatch_request(area.secretary, rejected, member.id)
    with pytest.raises(InvalidState):
        services.accept_request(area.worker, rejected)
    fresh = make_request()
    with pytest.raises(InvalidState):
        services.dispatch_request(area.secretary, fresh, member.id)
    with pytest.raises(InvalidState):
        services.rate_request(None, fresh, 5)
    dispatched = make_request("dispatched", member=member)
    with pytest.raises(InvalidState):
        services.complete_request(member, dispatched, "做完了")
    db.session.rollback()
    done = make_request("completed", member=member)
    services.rate_request(None, done, 4)
    db.session.commit()
    with pytest.raises(InvalidState):
        services.rate_request(area.worker, done, 5)


def test_only_the_right_hands(area, member, make_request, make_member, make_staff):
    req = make_request()
    with pytest.raises(NotAllowed):
        services.accept_request(make_staff("community_secretary"), req)
    with pytest.raises(NotAllowed):
        services.accept_request(member, req)
    services.accept_request(area.worker, req)
    with pytest.raises(NotAllowed):
        services.dispatch_request(area.worker, req, member.id)
    services.dispatch_request(area.secretary, req, member.id)
    with pytest.raises(NotAllowed):
        services.take_request(make_member(community=area.community), req)


def test_dispatch_only_to_approved_members_of_the_community(area, make_request, make_member):
    req = make_request("accepted")
    for bad in (make_member(), make_member(community=area.community, status="pending")):
        with pytest.raises(ValidationFailed):
            services.dispatch_request(area.secretary, req, bad.id)
    with pytest.raises(ValidationFailed):
        services.dispatch_request(area.secretary, req, area.worker.id)


def test_reject_reason_is_shown_when_tracking(area, make_request):
    req = make_request()
    with pytest.raises(ValidationFailed):
        services.reject_request(area.worker, req, "")
    services.reject_request(area.worker, req, "请拨打物业电话报修")
    db.session.commit()
    tracked = services.track_request(req.tracking_code, RESIDENT["phone"], "1.1.1.1")
    assert tracked.reject_reason == "请拨打物业电话报修"
    assert [e.action for e in services.public_steps(tracked)] == ["submitted", "rejected"]


def test_decline_returns_it_to_the_secretary(area, member, make_request, make_member):
    req = make_request("dispatched", member=member)
    with pytest.raises(ValidationFailed):
        services.decline_request(member, req, " ")
    services.decline_request(member, req, "这周出差")
    db.session.commit()
    assert req.status == "accepted" and req.assignee_id is None
    assert "request_declined" in inbox(area.secretary)
    # the decline is internal: the resident sees no trace of it
    assert "declined" not in [e.action for e in services.public_steps(req)]
    # and the member who declined is not suggested again
    other = make_member(community=area.community)
    suggested = [s["member"].id for s in services.suggest_members(area.secretary, req)]
    assert member.id not in suggested and other.id in suggested
    services.dispatch_request(area.secretary, req, other.id)


def test_a_taken_request_may_be_given_back(area, member, make_request):
    req = make_request("taken", member=member)
    services.decline_request(member, req, "临时有事")
    db.session.commit()
    assert req.status == "accepted"


def test_suggestions_rank_skills_then_grid_then_fewest_recent(area, make_request, make_member,
                                                              make_grid):
    other_grid = make_grid(community=area.community)
    plain_far = make_member(community=area.community, grid=other_grid, name="甲")
    plain_near = make_member(community=area.community, grid=area.grid, name="乙")
    skilled_far = make_member(community=area.community, grid=other_grid, skills=("repair",),
                              name="丙")
    skilled_near_busy = make_member(community=area.community, grid=area.grid,
                                    skills=("repair",), name="丁")
    skilled_near_free = make_member(community=area.community, grid=area.grid,
                                    skills=("repair",), name="戊")
    make_member(community=area.community, status="pending")
    make_member()  # another community
    busy = make_request("accepted")
    services.dispatch_request(area.secretary, busy, skilled_near_busy.id)
    db.session.commit()
    req = make_request("accepted")
    ranked = services.suggest_members(area.secretary, req)
    assert [s["member"].id for s in ranked] == [
        skilled_near_free.id, skilled_near_busy.id, skilled_far.id, plain_near.id, plain_far.id]
    assert ranked[0]["matches"] == 1 and ranked[0]["same_grid"] and ranked[0]["recent"] == 0
    assert ranked[1]["recent"] == 1
    assert [s["member"].id for s in services.suggest_members(area.secretary, req, q="甲")] == [
        plain_far.id]
    with pytest.raises(NotAllowed):
        services.suggest_members(area.worker, req)


def test_overdue_markers(area, make_request):
    late_accept = make_request()
    late_dispatch = make_request("accepted")
    on_time = make_request()
    late_accept.created_at = utcnow() - timedelta(hours=25)
    late_dispatch.created_at = utcnow() - timedelta(hours=49)
    db.session.commit()
    assert services.overdue_of(late_accept) == "accept"
    assert services.overdue_of(late_dispatch) == "dispatch"
    assert services.overdue_of(on_time) is None
    ids = {r.id for r in db.session.scalars(
        services.list_requests_stmt(area.secretary, overdue=True))}
    assert ids == {late_accept.id, late_dispatch.id}
    assert services.count_overdue(area.secretary) == 2
    assert services.overdue_of(late_accept, now=late_accept.created_at
                               + timedelta(hours=23)) is None


def test_convert_into_a_task(area, make_request):
    from volunteer.tasks.models import Task

    req = make_request("accepted")
    starts = utcnow() + timedelta(days=1)
    task = services.convert_request(area.secretary, req, title="帮老人修水龙头",
                                    location="新西社区第一网格", starts_at=starts,
                                    ends_at=starts + timedelta(hours=2), slots=1)
    db.session.commit()
    assert req.status == "converted" and req.task_id == task.id
    row = db.session.get(Task, task.id)
    assert row.status == "open" and row.community_id == area.community.id
    assert row.skill_tags == ["repair"]
    assert [e.action for e in req.events][-1] == "converted"
    with pytest.raises(InvalidState):
        services.convert_request(area.secretary, req, title="再转一次", location="x",
                                 starts_at=starts, ends_at=starts + timedelta(hours=1))
    # a converted request is rated once its task is over
    assert not services.is_rateable(req)
    assert services.is_rateable(req, now=starts + timedelta(hours=3))


def test_convert_refused_for_a_submitted_request(area, make_request):
    req = make_request()
    starts = utcnow() + timedelta(days=1)
    with pytest.raises(InvalidState):
        services.convert_request(area.secretary, req, title="t", location="l",
                                 starts_at=starts, ends_at=starts + timedelta(hours=1))


def test_grid_worker_rates_on_behalf(area, member, make_request, make_staff):
    req = make_request("completed", member=member)
    with pytest.raises(NotAllowed):
        services.rate_request(make_staff("community_secretary"), req, 5)
    with pytest.raises(ValidationFailed):
        services.rate_request(area.worker, req, 0)
    services.rate_request(area.worker, req, 4, "居民电话反馈满意")
    db.session.commit()
    assert req.rating == 4 and req.rated_by_id == area.worker.id


def test_tracking_needs_the_matching_phone_and_counts_failures(app, area, make_request):
    req = make_request()
    assert services.track_request(req.tracking_code.lower(), RESIDENT["phone"], "5.5.5.5").id \
        == req.id
    for _ in range(3):
        with pytest.raises(NotFound):
            services.track_request(req.tracking_code, "13900000000", "5.5.5.5")
    db.session.commit()
    app.config["TRACK_MAX_FAILURES_PER_IP"] = 3
    try:
        with pytest.raises(services.TrackLimited):
            services.track_request(req.tracking_code, RESIDENT["phone"], "5.5.5.5")
    finally:
        app.config["TRACK_MAX_FAILURES_PER_IP"] = 20


def test_member_lists_only_what_was_sent_to_them(area, member, make_request, make_member):
    mine = make_request("dispatched", member=member)
    make_request()
    assert [r.id for r in db.session.scalars(services.list_requests_stmt(member))] == [mine.id]
    other = make_member(community=area.community)
    assert list(db.session.scalars(services.list_requests_stmt(other))) == []


def test_events_carry_the_member(area, member, make_request):
    req = make_request("taken", member=member)
    rows = db.session.scalars(select(RequestEvent).where(RequestEvent.request_id == req.id))
    assert {(e.action, e.member_id) for e in rows} >= {("dispatched", member.id),
                                                       ("taken", member.id)}
    assert isinstance(req.created_at, datetime) and req.created_at.tzinfo is not None
