"""Services: posting, lifecycle, claiming, waitlist, check-in/out, confirmation, my record."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from volunteer.audit.models import AuditLog
from volunteer.core.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.notifications.models import Notification
from volunteer.tasks import services
from volunteer.tasks.models import STATES, Claim, Task, WaitlistEntry, state_clause


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def inbox(user) -> list[str]:
    return list(db.session.scalars(select(Notification.title).where(
        Notification.user_id == user.id).order_by(Notification.id)))


def fields(**overrides) -> dict:
    start = utcnow() + timedelta(days=1)
    values = {"title": "卡口值守", "category": "checkpoint_duty", "location": "北门卡口",
              "description": "核验出入", "starts_at": start, "ends_at": start + timedelta(hours=4),
              "slots": 4}
    values.update(overrides)
    return values


# ---------------------------------------------------------------- posting


def test_secretary_posts_an_open_task(ctx, secretary, make_grid, community):
    grid = make_grid(community=community)
    task = services.create_task(secretary, skills=["medical", "驾驶"], grid_id=grid.id,
                                visibility="street", **fields())
    db.session.commit()
    assert task.status == "open" and task.slots_taken == 0
    assert task.community_id == community.id and task.street_id == community.street_id
    assert task.skill_tags == ["driving", "medical"]
    assert task.state_at(utcnow()) == "open"
    assert count(AuditLog, AuditLog.action == "create_task") == 1


@pytest.mark.parametrize("bad, field", [
    ({"ends_at": utcnow() + timedelta(hours=20)}, "ends_at"),  # before start
    ({"slots": 0}, "slots"),
    ({"slots": 10000}, "slots"),
    ({"category": "karaoke"}, "category"),
    ({"title": "  "}, "title"),
    ({"location": ""}, "location"),
    ({"visibility": "world"}, "visibility"),
    ({"starts_at": utcnow() - timedelta(hours=1)}, "starts_at"),  # opening in the past
    ({"ends_at": utcnow() + timedelta(days=10)}, "ends_at"),  # longer than a week
])
def test_bad_task_fields_name_the_field_and_create_nothing(ctx, secretary, bad, field):
    with pytest.raises(ValidationFailed) as caught:
        services.create_task(secretary, **fields(**bad))
    db.session.rollback()
    assert field in caught.value.fields
    assert all("\u4e00" <= ch <= "\u9fff" or not ch.isalpha()
               for ch in caught.value.fields[field].replace(" ", ""))  # Chinese message
    assert count(Task) == 0


def test_draft_may_start_in_the_past_but_not_be_published(ctx, secretary):
    task = services.create_task(secretary, publish=False,
                                **fields(starts_at=utcnow() - timedelta(hours=2),
                                         ends_at=utcnow() - timedelta(hours=1)))
    assert task.status == "draft"
    with pytest.raises(ValidationFailed):
        services.publish_task(secretary, task)


def test_grid_of_another_community_is_refused(ctx, secretary, make_grid):
    other = make_grid()
    with pytest.raises(ValidationFailed) as caught:
        services.create_task(secretary, grid_id=other.id, **fields())
    assert "grid_id" in caught.value.fields


@pytest.mark.parametrize("role", ["member", "grid_worker", "district_admin", "street_reviewer"])
def test_only_secretaries_post(ctx, role, make_member, make_staff, make_grid, make_street):
    if role == "member":
        user = make_member()
    elif role == "grid_worker":
        user = make_staff("grid_worker", make_grid())
    elif role == "street_reviewer":
        user = make_staff("street_reviewer", make_street())
    else:
        user = make_staff("district_admin")
    with pytest.raises(NotAllowed):
        services.create_task(user, **fields())


def test_repeating_roster_creates_every_shift_in_one_go(ctx, secretary):
    first = (utcnow() + timedelta(days=2)).date()
    tasks = services.create_task_series(
        secretary, first_date=first, days=14, shifts=[(time(8), time(12)), (time(20), time(2))],
        **{k: v for k, v in fields().items() if k not in ("starts_at", "ends_at")})
    db.session.commit()
    assert len(tasks) == 28 and len({t.series_key for t in tasks}) == 1
    assert count(Task) == 28
    night = tasks[1]
    assert night.ends_at - night.starts_at == timedelta(hours=6)  # overnight shift
    assert tasks[2].starts_at - tasks[0].starts_at == timedelta(days=1)


def test_repeating_roster_is_all_or_nothing(ctx, secretary):
    base = {k: v for k, v in fields().items() if k not in ("starts_at", "ends_at")}
    with pytest.raises(ValidationFailed) as caught:
        services.create_task_series(secretary, first_date=date.today() - timedelta(days=1),
                                    days=3, shifts=[(time(8), time(12))], **base)
    assert "first_date" in caught.value.fields
    db.session.rollback()
    with pytest.raises(ValidationFailed) as caught:
        services.create_task_series(secretary, first_date=date.today() + timedelta(days=2),
                                    days=31, shifts=[(time(h), time(h + 1)) for h in range(6)],
                                    **base)
    assert "days" in caught.value.fields
    db.session.rollback()
    assert count(Task) == 0


def test_parse_shifts():
    assert services.parse_shifts("08:00-12:00，14:00-18:00") == [
        (time(8), time(12)), (time(14), time(18))]
    with pytest.raises(ValidationFailed):
        services.parse_shifts("8点到12点")


def test_edit_keeps_slots_above_claims_and_tells_claimants(ctx, make_task, make_member,
                                                          community, secretary, claim_for):
    task = make_task(slots=3)
    people = [make_member(community=community) for _ in range(2)]
    for person in people:
        claim_for(person, task)
    values = fields(slots=1, starts_at=task.starts_at, ends_at=task.ends_at)
    with pytest.raises(ValidationFailed) as caught:
        services.update_task(secretary, task, **values)
    assert "2" in caught.value.fields["slots"]
    db.session.rollback()
    values.update(slots=2, location="南门卡口")
    services.update_task(secretary, task, **values)
    db.session.commit()
    assert task.slots == 2 and task.location == "南门卡口"
    assert any("变动" in t for t in inbox(people[0]))


def test_cancel_task_tells_claimants_and_the_waitlist(ctx, make_task, make_member, community,
                                                     secretary, claim_for):
    task = make_task(slots=1)
    first, waiting = make_member(community=community), make_member(community=community)
    claim = claim_for(first, task)
    services.join_waitlist(waiting, task)
    with pytest.raises(ValidationFailed):
        services.cancel_task(secretary, task, " ")
    services.cancel_task(secretary, task, "天气原因")
    db.session.commit()
    assert task.status == "cancelled" and task.state_at(utcnow()) == "cancelled"
    assert claim.status == "cancelled" and task.slots_taken == 0
    assert any("已取消" in t for t in inbox(first)) and any("已取消" in t for t in inbox(waiting))
    with pytest.raises(InvalidState):
        services.cancel_task(secretary, task, "再次取消")


def test_another_communitys_secretary_cannot_manage(ctx, make_task, make_staff):
    task = make_task()
    stranger = make_staff("community_secretary")
    for call in (lambda: services.cancel_task(stranger, task, "x"),
                 lambda: services.publish_task(stranger, task),
                 lambda: services.list_roster(stranger, task),
                 lambda: services.qr_token(stranger, task)):
        with pytest.raises(NotAllowed):
            call()


# ---------------------------------------------------------------- lifecycle


def test_state_follows_time_and_counts_in_python_and_sql(ctx, make_task, make_member, community,
                                                         claim_for):
    soon = make_task(starts_in=2, slots=1)
    claim_for(make_member(community=community), soon)
    tasks = [soon, make_task(starts_in=2, slots=3), make_task(starts_in=-1, hours=3),
             make_task(starts_in=-5, hours=2), make_task(publish=False)]
    moments = [utcnow(), utcnow() + timedelta(hours=2, minutes=30), utcnow() + timedelta(days=3)]
    assert [t.state_at(moments[0]) for t in tasks] == ["full", "open", "in_progress", "done",
                                                       "draft"]
    assert soon.state_at(moments[1]) == "in_progress" and soon.state_at(moments[2]) == "done"
    for now in moments:
        for state in STATES:
            in_sql = set(db.session.scalars(select(Task.id).where(state_clause(state, now))))
            assert in_sql == {t.id for t in tasks if t.state_at(now) == state}, (state, now)


def test_member_list_shows_reachable_unfinished_tasks_own_community_first(
        ctx, make_task, make_member, make_staff, make_community, community, member):
    neighbour = make_community(street=community.street)
    far = make_community()
    theirs = make_staff("community_secretary", neighbour)
    remote = make_staff("community_secretary", far)
    shared = make_task(by=theirs, starts_in=5, visibility="street")
    hidden = make_task(by=theirs, starts_in=5)
    district = make_task(by=remote, starts_in=6, visibility="district")
    own = make_task(starts_in=30)
    make_task(starts_in=-10, hours=2)  # ended
    make_task(publish=False)  # draft
    ids = list(db.session.scalars(services.list_tasks_stmt(member)))
    assert [t.id for t in ids] == [own.id, shared.id, district.id]
    assert hidden.id not in [t.id for t in ids]
    with pytest.raises(NotFound):
        services.get_task(member, hidden.id)


def test_member_filters_by_skill_category_and_day(ctx, make_task, make_member, community):
    medic = make_member(community=community, skills=["medical"])
    clinic = make_task(category="health", skills=["medical"], starts_in=48)
    make_task(category="garbage", starts_in=48)
    assert [t.id for t in db.session.scalars(
        services.list_tasks_stmt(medic, matching_skills=True))] == [clinic.id]
    assert [t.id for t in db.session.scalars(
        services.list_tasks_stmt(medic, category="health"))] == [clinic.id]
    day = (clinic.starts_at + timedelta(hours=8)).date()
    assert len(list(db.session.scalars(services.list_tasks_stmt(medic, on_date=day)))) == 2
    assert not list(db.session.scalars(services.list_tasks_stmt(
        medic, on_date=day + timedelta(days=3))))


# ---------------------------------------------------------------- claiming


def test_claim_takes_one_slot(ctx, make_task, member):
    task = make_task(slots=2)
    claim = services.claim_task(member, task)
    db.session.commit()
    assert claim.status == "claimed" and task.slots_taken == 1
    with pytest.raises(services.AlreadyClaimed):
        services.claim_task(member, task)


def test_full_task_refuses(ctx, make_task, make_member, community, claim_for):
    task = make_task(slots=1)
    claim_for(make_member(community=community), task)
    with pytest.raises(services.TaskFull) as caught:
        services.claim_task(make_member(community=community), task)
    assert caught.value.status == 409 and caught.value.code == "task_full"
    assert task.slots_taken == 1 and count(Claim) == 1


def test_closed_tasks_refuse(ctx, make_task, member, secretary):
    started = make_task(starts_in=-1)
    with pytest.raises(services.TaskClosed):
        services.claim_task(member, started)
    cancelled = make_task()
    services.cancel_task(secretary, cancelled, "取消")
    db.session.commit()
    with pytest.raises(services.TaskClosed):
        services.claim_task(member, cancelled)
    with pytest.raises(NotFound):
        services.claim_task(member, make_task(publish=False))
    assert count(Claim) == 0


def test_only_approved_members_claim(ctx, make_task, make_member, community, secretary):
    task = make_task()
    with pytest.raises(services.NotApproved) as caught:
        services.claim_task(make_member(community=community, status="pending"), task)
    assert caught.value.status == 403 and caught.value.code == "not_approved"
    with pytest.raises(NotAllowed):
        services.claim_task(secretary, task)


def test_overlapping_tasks_conflict(ctx, make_task, member):
    first = make_task(starts_in=24, hours=3)
    services.claim_task(member, first)
    overlapping = make_task(starts_in=26, hours=3)
    with pytest.raises(services.TimeConflict):
        services.claim_task(member, overlapping)
    after = make_task(starts_in=27, hours=1)  # starts when the first ends: no overlap
    services.claim_task(member, after)
    db.session.commit()
    assert count(Claim) == 2


def test_database_refuses_a_second_live_claim_and_overbooking(ctx, make_task, member):
    task = make_task(slots=1)
    services.claim_task(member, task)
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(text("INSERT INTO claims (task_id, member_id, status, created_at, "
                                "adjusted, no_show) VALUES (:t, :m, 'claimed', :now, false, "
                                "false)"), {"t": task.id, "m": member.id, "now": utcnow()})
    db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE tasks SET slots_taken = 2 WHERE id = :t"),
                           {"t": task.id})
    db.session.rollback()


def test_cancel_then_claim_again(ctx, make_task, member):
    task = make_task(slots=1)
    services.claim_task(member, task)
    services.cancel_claim(member, task)
    db.session.commit()
    assert task.slots_taken == 0
    services.claim_task(member, task)
    db.session.commit()
    assert task.slots_taken == 1
    assert count(Claim, Claim.member_id == member.id) == 2


def test_cancel_cutoff(app, ctx, make_task, member):
    task = make_task(starts_in=3)
    services.claim_task(member, task)
    with pytest.raises(services.CancelTooLate):
        services.cancel_claim(member, task, now=task.starts_at - timedelta(hours=1))
    app.config["TASK_CANCEL_CUTOFF_HOURS"] = 0.5
    try:
        services.cancel_claim(member, task, now=task.starts_at - timedelta(hours=1))
    finally:
        app.config["TASK_CANCEL_CUTOFF_HOURS"] = 2
    with pytest.raises(services.NotClaimed):
        services.cancel_claim(member, task)


# ---------------------------------------------------------------- waitlist


def test_waitlist_promotes_in_order_on_cancel(ctx, make_task, make_member, community):
    task = make_task(slots=1)
    holder, first, second = (make_member(community=community) for _ in range(3))
    services.claim_task(holder, task)
    with pytest.raises(services.AlreadyClaimed):
        services.join_waitlist(holder, task)
    services.join_waitlist(first, task)
    services.join_waitlist(second, task)
    db.session.commit()
    assert services.waitlist_position(second, task) == 2
    with pytest.raises(services.Conflict):
        services.join_waitlist(first, task)
    services.cancel_claim(holder, task)
    db.session.commit()
    assert services.get_live_claim(first, task) is not None and task.slots_taken == 1
    assert any("候补成功" in t for t in inbox(first))
    assert services.waitlist_position(second, task) == 1


def test_waitlist_only_when_full_and_skips_the_ineligible(ctx, make_task, make_member,
                                                         community):
    task = make_task(slots=1)
    with pytest.raises(InvalidState) as caught:
        services.join_waitlist(make_member(community=community), task)
    assert caught.value.code == "task_not_full"
    holder, busy, ready = (make_member(community=community) for _ in range(3))
    services.claim_task(holder, task)
    services.join_waitlist(busy, task)
    services.join_waitlist(ready, task)
    other = make_task(starts_in=task_hours_from_now(task), hours=1)
    services.claim_task(busy, other)  # busy now overlaps
    services.cancel_claim(holder, task)
    db.session.commit()
    assert services.get_live_claim(busy, task) is None
    assert services.get_live_claim(ready, task) is not None
    statuses = dict(db.session.execute(
        select(WaitlistEntry.member_id, WaitlistEntry.status)).all())
    assert statuses == {busy.id: "skipped", ready.id: "promoted"}


def task_hours_from_now(task) -> float:
    return (task.starts_at - utcnow()).total_seconds() / 3600 + 0.5


def test_leave_waitlist(ctx, make_task, make_member, community):
    task = make_task(slots=1)
    services.claim_task(make_member(community=community), task)
    waiting = make_member(community=community)
    services.join_waitlist(waiting, task)
    services.leave_waitlist(waiting, task)
    with pytest.raises(InvalidState):
        services.leave_waitlist(waiting, task)


def test_secretary_removes_a_claim_with_a_reason(ctx, make_task, make_member, community,
                                                secretary, claim_for):
    task = make_task(slots=1)
    gone = make_member(community=community)
    claim = claim_for(gone, task)
    waiting = make_member(community=community)
    services.join_waitlist(waiting, task)
    with pytest.raises(ValidationFailed):
        services.remove_claim(secretary, claim, "")
    services.remove_claim(secretary, claim, "多次缺席")
    db.session.commit()
    assert claim.status == "removed" and claim.end_reason == "多次缺席"
    assert any("移出" in t for t in inbox(gone))
    assert services.get_live_claim(waiting, task) is not None
    assert count(AuditLog, AuditLog.action == "remove_claim") == 1


# ---------------------------------------------------------------- check-in and check-out


def test_check_in_window_and_clipped_hours(ctx, make_task, member, claim_for):
    task = make_task(starts_in=24, hours=3)
    claim_for(member, task)
    with pytest.raises(services.OutsideWindow) as caught:
        services.check_in(member, task, now=task.starts_at - timedelta(minutes=31))
    assert caught.value.code == "outside_window" and caught.value.status == 409
    assert "签到" in caught.value.message
    services.check_in(member, task, now=task.starts_at - timedelta(minutes=20))
    with pytest.raises(InvalidState):
        services.check_in(member, task, now=task.starts_at)
    claim = services.check_out(member, task, now=task.ends_at + timedelta(hours=1))
    assert claim.self_minutes == 180 and claim.check_in_method == "button"
    with pytest.raises(InvalidState):
        services.check_out(member, task, now=task.ends_at + timedelta(hours=1))


def test_check_out_after_the_window_is_refused(ctx, make_task, member, claim_for):
    task = make_task(starts_in=24, hours=2)
    claim_for(member, task)
    services.check_in(member, task, now=task.starts_at + timedelta(minutes=30))
    with pytest.raises(services.OutsideWindow):
        services.check_out(member, task, now=task.ends_at + timedelta(hours=2, minutes=1))
    claim = services.check_out(member, task, now=task.starts_at + timedelta(hours=1))
    assert claim.self_minutes == 30


def test_check_in_needs_a_claim(ctx, make_task, member):
    task = make_task(starts_in=24)
    with pytest.raises(services.NotClaimed):
        services.check_in(member, task, now=task.starts_at)


def _tampered(token: str) -> str:
    """The token with one signature character changed: one well inside the signature, since
    the last base64 character also carries unused bits (and may already be the new one)."""
    middle = len(token) - 5
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]


def test_scanned_check_in_with_a_rotating_token(app, ctx, make_task, member, secretary,
                                               claim_for):
    task = make_task(starts_in=24)
    claim_for(member, task)
    at = task.starts_at
    token = services.qr_token(secretary, task, now=at)
    rotate = timedelta(seconds=app.config["TASK_QR_ROTATE_SECONDS"])
    with pytest.raises(services.QrExpired):
        services.check_in(member, task, token=token, now=at + 2 * rotate)
    with pytest.raises(services.QrExpired):
        services.check_in(member, task, token=_tampered(token), now=at)
    other = make_task(starts_in=48)
    with pytest.raises(services.QrExpired):
        services.check_in(member, task, token=services.qr_token(secretary, other, now=at),
                          now=at)
    claim = services.check_in(member, task, token=token, now=at + rotate / 2)
    assert claim.check_in_method == "scanned"
    assert services.task_of_qr_token(token, now=at) == task.id


def test_forgotten_check_outs_are_flagged_once(ctx, make_task, member, secretary, claim_for):
    task = make_task(starts_in=-6, hours=2)
    claim = claim_for(member, task)
    services.check_in(member, task, now=task.starts_at)
    db.session.commit()
    assert claim.checkout_forgotten(utcnow(), services.check_out_late())
    assert services.flag_forgotten_checkouts() == 1
    db.session.commit()
    assert services.flag_forgotten_checkouts() == 0
    assert any("未签退" in t for t in inbox(secretary))


# ---------------------------------------------------------------- confirmation and ratings


def served(member, task, minutes_late=0):
    services.check_in(member, task, now=task.starts_at + timedelta(minutes=minutes_late))
    return services.check_out(member, task, now=task.ends_at)


def test_confirm_with_self_recorded_hours(ctx, make_task, member, secretary, claim_for):
    task = make_task(starts_in=-4, hours=2)
    claim_for(member, task)
    claim = served(member, task)
    services.confirm_claim(secretary, claim, quality=5)
    db.session.commit()
    assert claim.confirmed_minutes == 120 and not claim.adjusted and claim.outcome == "confirmed"
    assert count(AuditLog, AuditLog.action == "confirm_claim") == 1
    assert any("已确认" in t for t in inbox(member))


def test_adjusted_hours_need_a_reason_and_are_kept_apart(ctx, make_task, member, secretary,
                                                        claim_for):
    task = make_task(starts_in=-4, hours=2)
    claim_for(member, task)
    claim = served(member, task, minutes_late=60)
    with pytest.raises(ValidationFailed) as caught:
        services.confirm_claim(secretary, claim, quality=4, hours=2)
    assert "reason" in caught.value.fields
    services.confirm_claim(secretary, claim, quality=4, hours=2, reason="提前到岗布置")
    db.session.commit()
    assert claim.self_minutes == 60 and claim.confirmed_minutes == 120
    assert claim.adjusted and claim.adjust_reason == "提前到岗布置"
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "adjust_claim_hours"))
    assert log.detail["self_minutes"] == 60 and log.detail["minutes"] == 120


@pytest.mark.parametrize("quality, hours", [(0, None), (6, None), (3, 0), (3, 25), (3, True)])
def test_confirm_bad_values(ctx, make_task, member, secretary, claim_for, quality, hours):
    task = make_task(starts_in=-4, hours=2)
    claim_for(member, task)
    claim = served(member, task)
    with pytest.raises(ValidationFailed):
        services.confirm_claim(secretary, claim, quality=quality, hours=hours, reason="x")
    assert claim.confirmed_at is None


def test_confirm_rules(ctx, make_task, member, secretary, make_staff, claim_for):
    upcoming = make_task(starts_in=24)
    claim = claim_for(member, upcoming)
    with pytest.raises(InvalidState):
        services.confirm_claim(secretary, claim, quality=5, hours=1, reason="x")
    with pytest.raises(NotAllowed):
        services.confirm_claim(member, claim, quality=5, hours=1, reason="x")
    with pytest.raises(NotAllowed):
        services.confirm_claim(make_staff("community_secretary"), claim, quality=5)
    past = make_task(starts_in=-4, hours=1)
    missing = claim_for(member, past)
    with pytest.raises(ValidationFailed) as caught:
        services.confirm_claim(secretary, missing, quality=3)  # no self record and no hours
    assert "hours" in caught.value.fields


def test_no_show(ctx, make_task, member, make_member, community, secretary, claim_for):
    task = make_task(starts_in=-4, hours=2)
    claim = claim_for(member, task)
    services.mark_no_show(secretary, claim)
    db.session.commit()
    assert claim.no_show and claim.outcome == "no_show" and claim.confirmed_minutes == 0
    came = make_member(community=community)
    other = make_task(starts_in=-30, hours=2)
    served_claim = claim_for(came, other)
    served(came, other)
    with pytest.raises(InvalidState):
        services.mark_no_show(secretary, served_claim)


def test_satisfaction_by_grid_worker_not_by_member(ctx, make_task, member, make_staff, make_grid,
                                                  community, claim_for):
    task = make_task(starts_in=-4, hours=2)
    claim = claim_for(member, task)
    worker = make_staff("grid_worker", make_grid(community=community))
    with pytest.raises(NotAllowed):
        services.rate_satisfaction(member, claim, satisfaction=5)
    with pytest.raises(ValidationFailed):
        services.rate_satisfaction(worker, claim, satisfaction=9)
    services.rate_satisfaction(worker, claim, satisfaction=4, comment="很耐心")
    db.session.commit()
    assert claim.satisfaction == 4 and claim.satisfaction_by_id == worker.id


# ---------------------------------------------------------------- my service


def test_totals_and_certificate(ctx, make_task, member, secretary, claim_for):
    done = make_task(starts_in=-6, hours=2)
    claim_for(member, done)
    services.confirm_claim(secretary, served(member, done), quality=5)
    unconfirmed = make_task(starts_in=-12, hours=1)
    claim_for(member, unconfirmed)
    served(member, unconfirmed)
    upcoming = make_task(starts_in=30)
    claim_for(member, upcoming)
    db.session.commit()
    totals = services.service_totals(member)
    assert totals["year"] == {"services": 1, "hours": 2.0}
    assert totals["month"]["hours"] in (0, 2.0)  # 0 only when the task fell last month
    when = [c.task_id for c in db.session.scalars(
        services.list_my_claims_stmt(member, when="upcoming"))]
    assert when == [upcoming.id]
    today = date.today()
    paper = services.certificate(member, today - timedelta(days=3), today + timedelta(days=1))
    assert paper["services"] == 1 and paper["hours"] == 2.0
    with pytest.raises(ValidationFailed):
        services.certificate(member, today, today - timedelta(days=1))
