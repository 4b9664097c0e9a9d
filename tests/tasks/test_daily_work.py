"""Issue 13, items 7, 8, 9 and 15 for tasks: bulk confirmation, no check-out before the start,
the list's search, filters, order and series grouping, series-wide edit and cancel, and the
bounds of a task's dates. Services, API and pages, refusals included."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from volunteer.core.errors import NotAllowed, NotFound, ValidationFailed
from volunteer.core.time import to_local, utcnow
from volunteer.extensions import db
from volunteer.notifications.models import Notification
from volunteer.tasks import services
from volunteer.tasks.models import Claim, Task


@pytest.fixture
def served(make_task, make_member, community, claim_for):
    """A task that ended an hour ago: two members checked out (2.5 h, 1.5 h), one who only
    claimed, one already confirmed."""
    task = make_task(starts_in=-4, hours=3, slots=6)
    members = [make_member(community=community, name=f"党员{i}") for i in range(4)]
    for member in members:
        claim_for(member, task)
    start = task.starts_at
    for member, minutes in ((members[0], 150), (members[1], 90), (members[3], 60)):
        services.check_in(member, task, now=start)
        services.check_out(member, task, now=start + timedelta(minutes=minutes))
    db.session.commit()
    return task, members


def claim_of(task, member) -> Claim:
    return db.session.scalar(select(Claim).where(Claim.task_id == task.id,
                                                 Claim.member_id == member.id))


# ---------------------------------------------------------------- item 7: confirm all


def test_confirm_all_takes_each_reported_time(served, secretary):
    task, members = served
    services.confirm_claim(secretary, claim_of(task, members[3]), quality=3)
    db.session.commit()
    assert services.confirm_all(secretary, task, quality=4) == 2
    db.session.commit()
    first, second = claim_of(task, members[0]), claim_of(task, members[1])
    assert (first.confirmed_minutes, second.confirmed_minutes) == (150, 90)
    assert first.quality == second.quality == 4 and not first.adjusted
    assert claim_of(task, members[2]).confirmed_at is None  # never checked out
    assert claim_of(task, members[3]).quality == 3  # confirmed before: untouched
    with pytest.raises(services.NothingToConfirm):
        services.confirm_all(secretary, task, quality=4)


def test_confirm_all_refusals(served, secretary, make_staff, make_community, make_member):
    task, members = served
    other = make_staff("community_secretary", make_community())
    with pytest.raises(NotAllowed):
        services.confirm_all(other, task, quality=5)
    with pytest.raises(NotAllowed):
        services.confirm_all(members[0], task, quality=5)
    for quality in (None, 0, 6, True, "5"):
        with pytest.raises(ValidationFailed) as error:
            services.confirm_all(secretary, task, quality=quality)
        assert "quality" in error.value.fields
    db.session.rollback()
    assert claim_of(task, members[0]).confirmed_at is None


def test_confirm_all_api(served, client, secretary, token_for, make_staff, make_community):
    task, members = served
    url = f"/api/v1/tasks/{task.id}/confirm-all"
    other = make_staff("community_secretary", make_community())
    assert client.post(url, json={"quality": 5}, headers=token_for(other)).status_code == 403
    assert client.post(url, json={"quality": 5},
                       headers=token_for(members[0])).status_code == 403
    response = client.post(url, json={}, headers=token_for(secretary))
    assert response.status_code == 400 and "quality" in response.get_json()["error"]["fields"]
    response = client.post(url, json={"quality": 9}, headers=token_for(secretary))
    assert response.status_code == 400
    assert client.post("/api/v1/tasks/999999/confirm-all", json={"quality": 5},
                       headers=token_for(secretary)).status_code == 404
    response = client.post(url, json={"quality": 5}, headers=token_for(secretary))
    assert response.status_code == 200 and response.get_json() == {"confirmed": 3}
    response = client.post(url, json={"quality": 5}, headers=token_for(secretary))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "nothing_to_confirm"


def test_roster_confirm_all_and_row_errors(served, client, login, secretary):
    task, members = served
    login(secretary)
    page = client.get(f"/tasks/{task.id}/roster").get_data(as_text=True)
    assert "全部按上报时长确认" in page and "已签退待确认 3 人" in page
    assert 'selected>5' not in page and '<option value="">请选择</option>' in page
    # no rating chosen: nothing confirmed, the row keeps what was typed and says why
    claim = claim_of(task, members[0])
    response = client.post(f"/claims/{claim.id}/confirm",
                           data={"hours": "2", "quality": "", "reason": "提前离开"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200  # the roster again, as a form page re-renders
    assert 'value="2"' in text and 'value="提前离开"' in text
    assert "请选择服务质量" in text and 'data-testid="row-error"' in text
    # an adjusted time without a reason: the error is on that row's reason
    response = client.post(f"/claims/{claim.id}/confirm", data={"hours": "2", "quality": "4"})
    text = response.get_data(as_text=True)
    assert "调整服务时长须说明原因" in text
    assert 'name="quality" required data-testid="quality-' in text
    db.session.expire_all()
    assert claim_of(task, members[0]).confirmed_at is None
    assert client.post(f"/tasks/{task.id}/confirm-all", data={"quality": ""}).status_code == 302
    assert claim_of(task, members[0]).confirmed_at is None
    client.post(f"/tasks/{task.id}/confirm-all", data={"quality": "4"})
    db.session.expire_all()
    assert claim_of(task, members[0]).confirmed_minutes == 150
    assert claim_of(task, members[1]).quality == 4


def test_pending_filter(served, make_task, secretary, client, login, token_for):
    task, _ = served
    quiet = make_task(starts_in=-5, hours=1, title="无人签退")
    assert [t.id for t in db.session.scalars(
        services.list_tasks_stmt(secretary, pending=True))] == [task.id]
    body = client.get("/api/v1/tasks?pending=true", headers=token_for(secretary)).get_json()
    assert [t["id"] for t in body["items"]] == [task.id]
    login(secretary)
    text = client.get("/tasks?pending=1").get_data(as_text=True)
    assert f"task-{task.id}" in text and f"task-{quiet.id}" not in text


# ---------------------------------------------------------------- item 8: too early


def test_check_out_before_the_start_is_refused(make_task, member, claim_for, client,
                                               token_for):
    task = make_task(starts_in=0.25)  # starts in 15 minutes: check-in is open
    claim_for(member, task)
    services.check_in(member, task)
    db.session.commit()
    with pytest.raises(services.CheckOutTooEarly):
        services.check_out(member, task)
    db.session.rollback()
    response = client.post(f"/api/v1/tasks/{task.id}/check-out", headers=token_for(member))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "too_early"
    assert "时长为 0" in response.get_json()["error"]["message"]
    assert claim_of(task, member).checked_out_at is None
    claim = services.check_out(member, task, now=task.starts_at + timedelta(minutes=30))
    assert claim.self_minutes == 30


def test_detail_page_says_check_out_waits(make_task, member, claim_for, client, login):
    task = make_task(starts_in=0.25)
    claim_for(member, task)
    services.check_in(member, task)
    db.session.commit()
    login(member)
    text = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'data-testid="check-out-later"' in text and 'data-testid="check-out"' not in text
    response = client.post(f"/tasks/{task.id}/check-out", follow_redirects=True)
    assert "开始后才能签退" in response.get_data(as_text=True)


# ---------------------------------------------------------------- item 15: date bounds


def test_task_more_than_a_year_ahead_is_refused(secretary, client, token_for, login):
    start = utcnow() + timedelta(days=730)
    with pytest.raises(ValidationFailed) as error:
        services.create_task(secretary, title="x", category="other", location="y", slots=1,
                             starts_at=start, ends_at=start + timedelta(hours=1))
    assert "一年以后" in error.value.fields["starts_at"]
    db.session.rollback()
    body = {"title": "2099 年的任务", "category": "other", "location": "北门", "slots": 2,
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}
    response = client.post("/api/v1/tasks", json=body, headers=token_for(secretary))
    assert response.status_code == 400
    assert "一年以后" in response.get_json()["error"]["fields"]["starts_at"]
    login(secretary)
    local = to_local(start).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/tasks/new", data={
        "title": "远期任务", "category": "other", "location": "北门", "slots": "2",
        "visibility": "community", "publish": "y", "starts_at": local, "ends_at": local})
    assert "一年以后" in response.get_data(as_text=True)
    first = (to_local(utcnow()) + timedelta(days=400)).date()
    response = client.post("/tasks/series/new", data={
        "title": "卡口值守", "category": "checkpoint_duty", "location": "北门", "slots": "2",
        "visibility": "community", "publish": "y", "first_date": first.isoformat(),
        "days": "3", "shifts": "08:00-12:00"})
    assert "一年以后" in response.get_data(as_text=True)
    assert db.session.scalar(select(Task)) is None


def test_draft_long_past_is_refused(secretary):
    start = utcnow() - timedelta(days=60)
    with pytest.raises(ValidationFailed) as error:
        services.create_task(secretary, publish=False, title="x", category="other",
                             location="y", slots=1, starts_at=start,
                             ends_at=start + timedelta(hours=1))
    assert "30 天" in error.value.fields["starts_at"]


# ---------------------------------------------------------------- item 9: the list


def _series(secretary, days=14, first_in=2, **fields):
    first = (to_local(utcnow()) + timedelta(days=first_in)).date()
    values = {"title": "卡口值守", "category": "checkpoint_duty", "location": "北门",
              "slots": 2, "description": ""}
    values.update(fields)
    tasks = services.create_task_series(secretary, first_date=first, days=days,
                                        shifts=services.parse_shifts("08:00-12:00"), **values)
    db.session.commit()
    return tasks


def test_list_orders_by_start_and_groups_a_series(make_task, secretary, member, client, login,
                                                  token_for):
    later = make_task(starts_in=24 * 300, title="远期")
    soon = make_task(starts_in=3, title="很快")
    past = make_task(starts_in=-48, title="前天")
    older = make_task(starts_in=-96, title="四天前")
    series = _series(secretary)
    ids = [t.id for t in db.session.scalars(services.list_tasks_stmt(secretary, grouped=True))]
    assert ids == [soon.id, series[0].id, later.id, past.id, older.id]
    flat = list(db.session.scalars(services.list_tasks_stmt(secretary)))
    assert len(flat) == 18
    assert services.series_counts([series[0]]) == {series[0].series_key: (14, 14)}
    login(secretary)
    text = client.get("/tasks").get_data(as_text=True)
    shown = [t for t in series if f'data-testid="task-{t.id}"' in text]
    assert "重复排班，共 14 场" in text and shown == [series[0]]
    text = client.get(f"/tasks?series={series[0].series_key}").get_data(as_text=True)
    assert all(f'data-testid="task-{t.id}"' in text for t in series)
    assert "批量修改尚未开始的 14 场" in text
    body = client.get("/api/v1/tasks?grouped=true", headers=token_for(secretary)).get_json()
    assert body["total"] == 5
    body = client.get(f"/api/v1/tasks?series={series[0].series_key}",
                      headers=token_for(secretary)).get_json()
    assert body["total"] == 14
    login(member)
    text = client.get("/tasks").get_data(as_text=True)
    assert "重复排班，共 14 场" in text and f"task-{series[1].id}" not in text


def test_list_search_and_filters(make_task, make_grid, community, secretary, client, login,
                                 token_for):
    grid = make_grid(community=community)
    fan = make_task(starts_in=24 * 3, title="送 100%电风扇", location="虹桥北村 5 幢",
                    category="errand", grid_id=grid.id)
    other = make_task(starts_in=24 * 10, title="楼道消杀")
    day = (to_local(utcnow()) + timedelta(days=3)).date()

    def ids(**filters):
        return [t.id for t in db.session.scalars(services.list_tasks_stmt(secretary,
                                                                           **filters))]

    assert ids(q="风扇") == ids(q="虹桥") == ids(q="100%") == [fan.id]
    assert ids(q="%") == [fan.id] and ids(q="_") == []
    assert ids(date_from=day, date_to=day) == [fan.id]
    assert ids(category="errand") == ids(grid_id=grid.id) == [fan.id]
    assert len(ids(date_from=day)) == 2 and ids(date_to=day - timedelta(days=1)) == []
    headers = token_for(secretary)
    body = client.get(f"/api/v1/tasks?q=风扇&date_from={day}&date_to={day}&grid_id={grid.id}",
                      headers=headers).get_json()
    assert [t["id"] for t in body["items"]] == [fan.id]
    for query in ("q=" + "长" * 51, "date_from=bad", "date_from=2026-12-09&date_to=2026-12-01",
                  "grid_id=0", "pending=maybe", "series=NOT-A-KEY", "grouped=2"):
        response = client.get(f"/api/v1/tasks?{query}", headers=headers)
        assert response.status_code == 400, query
    login(secretary)
    text = client.get(f"/tasks?q=风扇&date_from={day}&state=open").get_data(as_text=True)
    assert f'"task-{fan.id}"' in text and f'"task-{other.id}"' not in text
    assert 'value="风扇"' in text
    assert client.get("/tasks?date_from=nonsense&grid_id=-1&q=" + "长" * 300).status_code == 200


# ---------------------------------------------------------------- item 9: series-wide


def test_series_wide_edit(secretary, member, make_member, community, client, login,
                          token_for):
    tasks = _series(secretary, days=5)
    key = tasks[0].series_key
    for task in tasks[:2]:
        services.claim_task(member, task)
    services.claim_task(make_member(community=community), tasks[0])
    db.session.commit()
    count = services.update_series(secretary, key, location="南门", slots=4, title="南门值守")
    db.session.commit()
    assert count == 5
    assert {(t.location, t.slots, t.title) for t in services.get_series(secretary, key)} == {
        ("南门", 4, "南门值守")}
    told = db.session.scalars(select(Notification).where(
        Notification.user_id == member.id, Notification.kind == "task_changed")).all()
    assert len(told) == 2
    with pytest.raises(ValidationFailed):
        services.update_series(secretary, key, slots=0)
    db.session.rollback()
    with pytest.raises(ValidationFailed):
        services.update_series(secretary, key, starts_at=utcnow())
    db.session.rollback()
    response = client.put(f"/api/v1/task-series/{key}", json={"description": "带好证件"},
                          headers=token_for(secretary))
    assert response.status_code == 200 and response.get_json() == {"updated": 5}
    response = client.put(f"/api/v1/task-series/{key}", json={},
                          headers=token_for(secretary))
    assert response.status_code == 400
    login(secretary)
    assert client.get(f"/tasks/series/{key}/edit").status_code == 200
    response = client.post(f"/tasks/series/{key}/edit", data={
        "title": "北门值守", "location": "北门", "description": "", "slots": "1"})
    assert "已有 2 人认领" in response.get_data(as_text=True)  # the first shift holds two
    response = client.post(f"/tasks/series/{key}/edit", data={
        "title": "北门值守", "location": "北门", "description": "", "slots": "3"})
    assert response.status_code == 302
    assert {t.title for t in services.get_series(secretary, key)} == {"北门值守"}


def test_series_wide_cancel(secretary, member, make_member, community, make_staff,
                            make_community, client, login, token_for):
    tasks = _series(secretary, days=4)
    key = tasks[0].series_key
    services.claim_task(member, tasks[3])
    db.session.commit()
    other = make_staff("community_secretary", make_community())
    with pytest.raises(NotAllowed):
        services.cancel_series(other, key, "天气")
    response = client.post(f"/api/v1/task-series/{key}/cancel", json={"reason": "天气"},
                           headers=token_for(other))
    assert response.status_code == 403
    response = client.post(f"/api/v1/task-series/{key}/cancel", json={"reason": "天气"},
                           headers=token_for(member))
    assert response.status_code == 403  # a member of the community sees it, may not cancel
    response = client.post("/api/v1/task-series/abc123/cancel", json={"reason": "天气"},
                           headers=token_for(secretary))
    assert response.status_code == 404
    response = client.post(f"/api/v1/task-series/{key}/cancel", json={"reason": ""},
                           headers=token_for(secretary))
    assert response.status_code == 400
    login(other)
    assert client.post(f"/tasks/series/{key}/cancel", data={"reason": "x"}).status_code == 403
    login(secretary)
    page = client.get(f"/tasks?series={key}").get_data(as_text=True)
    assert "data-confirm=" in page and "取消尚未开始的 4 场" in page
    response = client.post(f"/tasks/series/{key}/cancel", data={"reason": "寒潮停止值守"})
    assert response.status_code == 302
    db.session.expire_all()
    assert {t.status for t in db.session.scalars(select(Task))} == {"cancelled"}
    assert db.session.scalar(select(Notification).where(
        Notification.user_id == member.id, Notification.kind == "task_cancelled"))
    response = client.post(f"/api/v1/task-series/{key}/cancel", json={"reason": "再取消"},
                           headers=token_for(secretary))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "series_over"


def test_series_of_another_community_is_not_for_its_members(secretary, make_member,
                                                            make_community):
    key = _series(secretary, days=2)[0].series_key
    outsider = make_member(community=make_community())
    with pytest.raises(NotFound):
        services.get_series(outsider, key)
