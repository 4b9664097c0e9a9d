"""Concurrency on PostgreSQL: many members press "claim" at once; one member presses twice."""

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from volunteer.extensions import db
from volunteer.tasks.models import Claim, Task

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _postgres_only(db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("concurrency tests need PostgreSQL (set TEST_DATABASE_URL)")


def fire(app, requests: list[tuple]) -> list[tuple[int, str | None]]:
    """Send every request — (method, path, headers[, JSON body]) — from its own thread and
    client, all released at once."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(index: int, method: str, path: str, headers: dict, body=None) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.open(path, method=method, headers=headers, json=body)
        body = response.get_json() or {}
        results[index] = (response.status_code, (body.get("error") or {}).get("code"))

    threads = [threading.Thread(target=run, args=(i, *request))
               for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def served_claim(claim_for, member, task) -> int:
    """A claim of ``member`` on a task that is over, checked in and out: ready to confirm."""
    from volunteer.tasks import services

    claim = claim_for(member, task)
    services.check_in(member, task, now=task.starts_at)
    services.check_out(member, task, now=task.ends_at)
    db.session.commit()
    return claim.id


def confirm_at_once(app, headers: dict, claim_ids: list[int]) -> Counter:
    """The secretary confirms every claim from its own thread at the same moment; the
    statuses of the answers."""
    results = fire(app, [("POST", f"/api/v1/claims/{claim_id}/confirm", headers, {"quality": 4})
                         for claim_id in claim_ids])
    db.session.expire_all()
    return Counter(status for status, _code in results)


def live_claims(task_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Claim).where(
        Claim.task_id == task_id, Claim.status == "claimed"))


def test_fifty_members_on_five_slots(app, make_task, make_member, community, token_for):
    task = make_task(slots=5)
    headers = [token_for(make_member(community=community)) for _ in range(50)]
    results = fire(app, [("POST", f"/api/v1/tasks/{task.id}/claim", h) for h in headers])
    tally = Counter(results)
    assert tally[(201, None)] == 5, tally
    assert tally[(409, "task_full")] == 45, tally
    assert live_claims(task.id) == 5
    assert db.session.get(Task, task.id).slots_taken == 5


def test_same_member_twice_at_once_gets_one_claim(app, make_task, member, token_for):
    task = make_task(slots=5)
    headers = token_for(member)
    results = fire(app, [("POST", f"/api/v1/tasks/{task.id}/claim", headers)] * 8)
    tally = Counter(results)
    assert tally[(201, None)] == 1, tally
    assert tally[(409, "already_claimed")] == 7, tally
    assert live_claims(task.id) == 1
    assert db.session.get(Task, task.id).slots_taken == 1


def test_same_member_on_overlapping_tasks_at_once(app, make_task, member, token_for):
    tasks = [make_task(starts_in=24, hours=3), make_task(starts_in=25, hours=3)]
    headers = token_for(member)
    results = fire(app, [("POST", f"/api/v1/tasks/{t.id}/claim", headers) for t in tasks] * 3)
    tally = Counter(results)
    assert tally[(201, None)] == 1, tally
    assert sum(live_claims(t.id) for t in tasks) == 1


def test_cancel_and_claim_race_keeps_the_count(app, make_task, make_member, community,
                                              token_for, claim_for):
    task = make_task(slots=3)
    holders = [make_member(community=community) for _ in range(3)]
    for holder in holders:
        claim_for(holder, task)
    newcomers = [token_for(make_member(community=community)) for _ in range(10)]
    requests = [("DELETE", f"/api/v1/tasks/{task.id}/claim", token_for(h)) for h in holders]
    requests += [("POST", f"/api/v1/tasks/{task.id}/claim", h) for h in newcomers]
    fire(app, requests)
    db.session.expire_all()
    taken = db.session.get(Task, task.id).slots_taken
    assert taken == live_claims(task.id) <= 3


def test_one_members_claims_confirmed_at_once_keep_the_summaries(app, make_task, member,
                                                                  secretary, token_for,
                                                                  claim_for):
    """Confirmations of one member's claims at the same moment each rewrite that member's
    summary rows (service_months, member_periods): all succeed and the sums count each one."""
    from collections import defaultdict

    from volunteer.core.periods import containing, local_date
    from volunteer.stats.models import MemberPeriod, MonthTotal, ServiceMonth

    tasks = [make_task(starts_in=-4 - 3 * i, hours=2) for i in range(6)]
    claims = [served_claim(claim_for, member, task) for task in tasks]
    assert confirm_at_once(app, token_for(secretary), claims) == {200: 6}
    assert db.session.scalar(select(func.sum(ServiceMonth.services)).where(
        ServiceMonth.member_id == member.id)) == 6
    per_month = defaultdict(int)
    for task in tasks:
        per_month[containing("month", local_date(task.ends_at)).key] += 1
    for key, expected in per_month.items():
        assert db.session.scalar(select(MemberPeriod.services).where(
            MemberPeriod.member_id == member.id, MemberPeriod.period == key)) == expected
        number = int(key.replace("-", ""))
        assert db.session.scalar(select(MonthTotal.services).where(
            MonthTotal.month == number, MonthTotal.category == "")) == expected


def test_two_members_confirmed_at_once_keep_the_district_totals(app, make_task, make_member,
                                                                 community, secretary,
                                                                 token_for, claim_for):
    """Confirmations of different members in one month each rewrite the month's district
    totals (month_totals): the totals count every one."""
    from volunteer.stats.models import MonthTotal

    task = make_task(starts_in=-4, hours=2, slots=8)
    claims = [served_claim(claim_for, make_member(community=community), task)
              for _ in range(8)]
    assert confirm_at_once(app, token_for(secretary), claims) == {200: 8}
    totals = {row.category: (row.services, row.minutes, row.members)
              for row in db.session.scalars(select(MonthTotal))}
    assert totals == {"": (8, 960, 8), "disinfection": (8, 960, 8)}


def test_two_bulk_confirmations_at_once_confirm_each_claim_once(app, make_task, make_member,
                                                                 community, secretary,
                                                                 claim_for, token_for):
    """Two presses of 全部按上报时长确认: one confirms everyone, the other finds nothing left;
    each member is told once."""
    from volunteer.notifications.models import Notification

    task = make_task(starts_in=-5, hours=3, slots=8)
    members = [make_member(community=community) for _ in range(6)]
    for member in members:
        served_claim(claim_for, member, task)
    headers = token_for(secretary)
    results = fire(app, [("POST", f"/api/v1/tasks/{task.id}/confirm-all", headers,
                          {"quality": 5})] * 2)
    assert sorted(results) == [(200, None), (409, "nothing_to_confirm")]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Claim).where(
        Claim.confirmed_at.is_not(None))) == 6
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "claim_confirmed")) == 6
